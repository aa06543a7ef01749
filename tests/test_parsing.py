"""Deterministic answer parsing in French and English."""

from __future__ import annotations

from datetime import date

import pytest

from plannum_assistant.parsing import (
    AnswerError,
    is_skip,
    parse_integer,
    parse_language,
    parse_list,
    parse_money,
    parse_month,
    parse_scale,
    parse_yes_no,
)
from plannum_assistant.vocabulary import Language

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("150 k$", 150_000),
        ("150 000 $", 150_000),
        ("$150k", 150_000),
        ("150,000", 150_000),
        ("1,5 M$", 1_500_000),
        ("80k", 80_000),
        ("environ 75 000 dollars", 75_000),
        ("$2.5M", 2_500_000),
    ],
)
def test_money(text: str, amount: float) -> None:
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mars 2025", date(2025, 3, 1)),
        ("2025-03", date(2025, 3, 1)),
        ("2025-03-15", date(2025, 3, 15)),
        ("March 2025", date(2025, 3, 1)),
        ("03/2025", date(2025, 3, 1)),
        ("l'an passé", date(2025, 1, 1)),
        ("last year", date(2025, 1, 1)),
        ("adopté en juin 2025", date(2025, 6, 1)),
        ("2024", date(2024, 1, 1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_month(text, today=TODAY) == expected


def test_impossible_date_and_garbage_are_refused_with_a_hint_in_both_languages() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_month("2025-13", today=TODAY)
    assert "n'existe pas" in caught.value.hint[Language.FR] and "does not exist" in caught.value.hint[Language.EN]
    with pytest.raises(AnswerError):
        parse_month("bientôt", today=TODAY)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("CRM, ERP et Excel", ["CRM", "ERP", "Excel"]),
        ("Sage 50 and Excel", ["Sage 50", "Excel"]),
        ("- un\n- deux\n- trois", ["un", "deux", "trois"]),
        ("a; b", ["a", "b"]),
        ("Make the warehouse reliable and traceable", ["Make the warehouse reliable and traceable"]),
        ("1. Croître hors Québec\n2. Réduire les délais", ["Croître hors Québec", "Réduire les délais"]),
    ],
)
def test_lists(text: str, items: list[str]) -> None:
    assert parse_list(text) == items


def test_yes_no_scales_numbers_skip_and_language() -> None:
    assert parse_yes_no("Oui, depuis 2025") is True and parse_yes_no("nope") is False
    with pytest.raises(AnswerError):
        parse_yes_no("peut-être")
    assert parse_scale("3") == 3 and parse_scale("2/5") == 2
    with pytest.raises(AnswerError):
        parse_scale("7")
    assert parse_integer("environ 48 employés", minimum=1) == 48 and parse_integer("douze") == 12
    with pytest.raises(AnswerError):
        parse_integer("0", minimum=1)
    assert all(is_skip(t) for t in ("skip", "Je ne sais pas", "passer", "I don't know"))
    assert not is_skip("Excel")
    assert parse_language("Français") is Language.FR and parse_language("english") is Language.EN
