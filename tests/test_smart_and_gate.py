"""The prerequisite gate and SMART detection, in French and English."""

from __future__ import annotations

from datetime import date

import pytest

from plannum_assistant.gate import check_prerequisites, months_between
from plannum_assistant.models import StrategicPlan
from plannum_assistant.smart import assess_smart, deadline
from plannum_assistant.vocabulary import Language

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "specific", "measurable", "time_bound"),
    [
        ("Augmenter nos ventes à l'exportation de 20 % d'ici décembre 2027", True, True, True),
        ("Réduire le délai de livraison moyen à 5 jours avant la fin de l'année", True, True, True),
        ("Increase online sales to $2M by Q4 2027", True, True, True),
        ("Cut order-entry errors by half within 18 months", True, True, True),
        ("Être meilleurs", False, False, False),
        ("Improve efficiency", False, False, False),
        # A count in words is a measure (issue 9: "a fifth restaurant" was a false warning).
        ("Ouvrir une deuxième usine au Mexique", True, True, False),
        ("Open a fifth restaurant in Laval by spring 2028", True, True, True),
        ("Zéro accident avec arrêt de travail chaque année", True, True, True),
        ("Répondre à chaque demande de soumission en moins d'une heure", True, True, False),
        ("Review every project's budget weekly", True, True, True),
        ("Answer every service call within 24 hours", True, True, False),
        ("Reduce picking errors by half", True, True, False),
        ("Launch the online store before the summer season", True, False, True),
        ("Doubler la production de la ligne 2 d'ici 2028", True, True, True),
        ("Hire 12 skilled welders for the new plant", True, True, False),
        ("Launch the new product line in March 2027", True, False, True),
        ("Sign two regional grocery chains by the end of 2027", True, True, True),
        ("Ouvrir trois nouvelles succursales en 2028", True, True, True),
    ],
)
def test_smart_detection(text: str, specific: bool, measurable: bool, time_bound: bool) -> None:
    smart = assess_smart(text)
    assert (smart.specific, smart.measurable, smart.time_bound) == (specific, measurable, time_bound)


def _plan(**overrides: object) -> StrategicPlan:
    fields: dict[str, object] = {
        "adopted": date(2025, 3, 1),
        "mission": "Fabriquer des armoires sur mesure durables pour les familles du Québec",
        "strategic_orientations": ["Croître hors Québec"],
        "strategic_objectives": ["Augmenter les ventes hors Québec de 30 % d'ici 2028"],
        "operational_orientations": ["Fiabiliser les délais de livraison"],
        "operational_objectives": ["Livrer 95 % des commandes à la date promise d'ici juin 2027"],
    }
    fields.update(overrides)
    return StrategicPlan.from_texts(**fields)  # type: ignore[arg-type]


def test_complete_recent_plan_is_ready() -> None:
    result = check_prerequisites(_plan(), today=TODAY)
    assert result.ready
    assert result.missing == []
    assert result.smart == []


def test_no_strategic_plan_is_not_ready_and_says_why_in_both_languages() -> None:
    result = check_prerequisites(None, today=TODAY)
    assert not result.ready
    assert [issue.code for issue in result.missing] == ["strategic_plan"]
    assert "plan stratégique" in result.missing_messages(Language.FR)[0]
    assert "strategic plan" in result.missing_messages(Language.EN)[0]


def test_stale_plan_is_reported_with_its_age() -> None:
    result = check_prerequisites(_plan(adopted=date(2024, 10, 1)), today=TODAY)
    assert not result.ready
    assert [issue.code for issue in result.missing] == ["stale"]
    assert "25 mois" in result.missing_messages(Language.FR)[0]
    assert "25 months" in result.missing_messages(Language.EN)[0]


def test_plan_exactly_at_the_limit_is_fresh_and_limit_is_configurable() -> None:
    plan = _plan(adopted=date(2024, 11, 26))
    assert check_prerequisites(plan, today=TODAY).ready
    assert not check_prerequisites(plan, today=TODAY, max_age_months=12).ready


def test_future_and_unknown_adoption_dates_block() -> None:
    assert [i.code for i in check_prerequisites(_plan(adopted=date(2027, 1, 1)), today=TODAY).missing] == ["future"]
    assert [i.code for i in check_prerequisites(_plan(adopted=None), today=TODAY).missing] == ["adopted"]


def test_lists_exactly_the_missing_parts() -> None:
    plan = _plan(mission=None, strategic_objectives=[], operational_orientations=[])
    result = check_prerequisites(plan, today=TODAY)
    assert not result.ready
    assert [i.code for i in result.missing] == ["mission", "strategic_objectives", "operational_orientations"]
    assert result.missing_messages(Language.FR) == [
        "Mission manquante.",
        "Aucun objectif stratégique.",
        "Aucune orientation opérationnelle.",
    ]
    assert result.missing_messages(Language.EN) == [
        "Mission missing.",
        "No strategic objective.",
        "No operational orientation.",
    ]


def test_smart_warnings_name_the_failing_criteria_per_objective() -> None:
    plan = _plan(
        strategic_objectives=["Être le meilleur", "Grow exports by 25% by 2028"],
        operational_objectives=["Réduire les rebuts de 10 %"],
    )
    result = check_prerequisites(plan, today=TODAY)
    assert result.ready  # warnings never block
    by_id = {warning.objective_id: warning.failing for warning in result.smart}
    assert by_id == {"SO1": ["specific", "measurable", "time_bound"], "OO1": ["time_bound"]}
    fr = result.warning_messages(Language.FR)
    en = result.warning_messages(Language.EN)
    assert fr[1] == "Objectif OO1 « Réduire les rebuts de 10 % » n'est pas daté (SMART)."
    assert en[1] == 'Objective OO1 "Réduire les rebuts de 10 %" is not time-bound (SMART).'
    assert "spécifique ni mesurable ni daté" in fr[0]


def test_months_between_counts_whole_months() -> None:
    assert months_between(date(2024, 11, 27), date(2026, 11, 26)) == 23
    assert months_between(date(2024, 11, 26), date(2026, 11, 26)) == 24


@pytest.mark.parametrize("placeholder", ["À déterminer", "TBD", "n/a", "-", "  ?  ", "à venir"])
def test_a_part_made_only_of_placeholders_is_missing(placeholder: str) -> None:
    result = check_prerequisites(_plan(operational_objectives=[placeholder]), today=TODAY)
    assert not result.ready
    assert [issue.code for issue in result.missing] == ["operational_objectives"]
    assert [w.code for w in result.objectives] == ["placeholder"]
    assert "OO1" in result.warning_messages(Language.EN)[0]


def test_a_placeholder_mission_is_missing_but_one_real_objective_among_placeholders_opens_the_gate() -> None:
    assert [i.code for i in check_prerequisites(_plan(mission="TBD"), today=TODAY).missing] == ["mission"]
    objectives = ["Livrer 95 % des commandes à la date promise d'ici juin 2027", "À déterminer"]
    result = check_prerequisites(_plan(operational_objectives=objectives), today=TODAY)
    assert result.ready
    assert [(w.code, w.objective_id) for w in result.objectives] == [("placeholder", "OO2")]


def test_past_due_objectives_are_named_in_both_languages() -> None:
    objectives = ["Réduire les retards de 30 % d'ici mars 2026", "Livrer 95 % des commandes à temps d'ici 2028"]
    result = check_prerequisites(_plan(operational_objectives=objectives), today=TODAY)
    assert result.ready  # a warning, not a blocker
    assert [(w.code, w.objective_id, w.due) for w in result.objectives] == [("past_due", "OO1", "2026-03-31")]
    assert "2026-03-31" in result.warning_messages(Language.FR)[0]
    assert "OO1" in result.warning_messages(Language.EN)[0]


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Augmenter les ventes de 20 % d'ici décembre 2027", date(2027, 12, 31)),
        ("Increase online sales to $2M by Q3 2027", date(2027, 9, 30)),
        ("Livrer le nouveau site avant juin 2026", date(2026, 5, 31)),
        ("Be certified before 2028", date(2027, 12, 31)),
        ("Réduire les rebuts de moitié d'ici 18 mois", date(2026, 9, 1)),
        ("Ship 98% on time within two years", date(2027, 3, 1)),
        ("Atteindre 70 % de ventes en ligne au 2e trimestre 2027", date(2027, 6, 30)),
        ("Obtenir la certification ISO 9001:2015", None),
        ("Hire 12 welders", None),
    ],
)
def test_deadline_of_an_objective(text: str, due: date | None) -> None:
    assert deadline(text, adopted=date(2025, 3, 1)) == due
