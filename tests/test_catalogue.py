"""The curated catalogue: content requirements and `plannum catalogue check` failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from plannum_assistant.catalogue import load_catalogue
from plannum_assistant.errors import CatalogueError
from plannum_assistant.knowledge import load_dimensions
from plannum_assistant.vocabulary import Dimension, DmatDimension

from .conftest import KNOWLEDGE, run_cli

REQUIRED_IDS = [
    "crm",
    "customer-portal",
    "ecommerce",
    "website-seo",
    "cpq-quoting",
    "marketing-automation",
    "helpdesk",
    "field-service",
    "barcode-scanning",
    "wms",
    "inventory-management",
    "edi",
    "traceability",
    "supplier-portal",
    "mrp-scheduling",
    "mes-oee",
    "iot-machine-connectivity",
    "cmms",
    "digital-quality",
    "digital-work-instructions",
    "time-tracking",
    "cobot-automation",
    "erp",
    "erp-needs-study",
    "ap-automation",
    "hr-payroll",
    "document-management",
    "bi-dashboards",
    "master-data",
    "pim",
    "cybersecurity-baseline",
    "cloud-collaboration",
    "network-wifi",
    "digital-skills-training",
    "digital-governance",
    "ai-document-processing",
    "demand-forecasting",
    "energy-monitoring",
]


def test_catalogue_has_every_required_entry_in_both_languages() -> None:
    catalogue = load_catalogue(KNOWLEDGE / "catalogue")
    assert set(REQUIRED_IDS) <= set(catalogue.ids)  # the loader enforces each entry's fields


def test_an_erp_user_is_recognised_by_the_in_place_signals() -> None:
    erp = load_catalogue(KNOWLEDGE / "catalogue")["erp"]
    assert {"Acumatica", "Odoo"} <= set(erp.in_place.products)


def test_dimensions_cover_all_ten_with_anchors_and_dmat_mapping() -> None:
    dimensions = load_dimensions(KNOWLEDGE / "dimensions.yaml")
    assert {spec.id for spec in dimensions.dimensions} == set(Dimension)
    assert {spec.dmat for spec in dimensions.dimensions} == set(DmatDimension)
    for spec in dimensions.dimensions:
        assert [anchor.level for anchor in spec.anchors] == [0, 1, 2, 3, 4, 5]


def test_cli_check_passes_on_the_real_catalogue() -> None:
    result = run_cli("catalogue", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("catalogue OK:")


def _break(knowledge: Path, name: str, old: str, new: str) -> Path:
    path = knowledge / "catalogue" / name
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))
    return path


def _check_fails(knowledge: Path, *fragments: str) -> str:
    result = run_cli("catalogue", "check", env={"PLANNUM_KNOWLEDGE_DIR": str(knowledge)})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_malformed_yaml_names_file_and_line(knowledge_copy: Path) -> None:
    path = knowledge_copy / "catalogue" / "wms.yaml"
    lines = path.read_text().splitlines()
    lines[3] = "  en: [unclosed"
    path.write_text("\n".join(lines))
    _check_fails(knowledge_copy, "wms.yaml", "invalid YAML", "line")


def test_missing_language_names_the_field(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "crm.yaml", "summary:\n  fr:", "summary:\n  de:")
    _check_fails(knowledge_copy, "crm.yaml", "summary", "line")


def test_unknown_field_is_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "crm.yaml", "function:", "colour: blue\nfunction:")
    _check_fails(knowledge_copy, "crm.yaml", "colour", "Extra inputs are not permitted")


def test_too_few_symptoms_is_rejected(knowledge_copy: Path) -> None:
    path = knowledge_copy / "catalogue" / "crm.yaml"
    text = path.read_text()
    start = text.index("  en:\n    - We lose track")
    end = text.index("prerequisites:")
    path.write_text(text[:start] + "  en:\n    - We lose track of leads\n" + text[end:])
    _check_fails(knowledge_copy, "crm.yaml", "symptoms.en: 1 phrasings, at least 12 required")


def test_unknown_prerequisite_is_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "erp.yaml", "prerequisites: [erp-needs-study]", "prerequisites: [erp-needs-study, teleport]")
    _check_fails(knowledge_copy, "erp.yaml", "unknown catalogue id 'teleport'")


def test_dependency_cycle_is_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "erp-needs-study.yaml", "usually_after: []", "usually_after: [erp]")
    line = _check_fails(knowledge_copy, "dependency cycle")
    assert "erp" in line and "erp-needs-study" in line


def test_a_copied_entry_cannot_duplicate_an_id(knowledge_copy: Path) -> None:
    # File name == id, so a second file holding the same id is caught by its name.
    source = knowledge_copy / "catalogue" / "crm.yaml"
    (knowledge_copy / "catalogue" / "crm-copy.yaml").write_text(source.read_text())
    _check_fails(knowledge_copy, "crm-copy.yaml", "file name must be the id (crm.yaml)")


def test_budget_shares_must_sum_to_one(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "crm.yaml", "budget_share: 0.55", "budget_share: 0.95")
    _check_fails(knowledge_copy, "crm.yaml", "budget_share values sum to 1.40")


def test_unknown_sector_and_measure_are_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "mes-oee.yaml", "sectors: [", "sectors: [astrology, ")
    _check_fails(knowledge_copy, "mes-oee.yaml", "sectors.0")


def test_a_training_statement_naming_an_unknown_entry_fails_the_check(knowledge_copy: Path) -> None:
    path = knowledge_copy / "owner_statements.yaml"
    text = path.read_text()
    first = text.index("  answer:\n  - ") + len("  answer:\n  - ")
    path.write_text(text[:first] + "teleport" + text[text.index("\n", first) :])
    _check_fails(knowledge_copy, "owner_statements.yaml", "statements.0.answer: unknown catalogue id 'teleport'")


def test_a_system_can_only_cover_real_entries(knowledge_copy: Path) -> None:
    _break(knowledge_copy, "erp.yaml", "covers: [", "covers: [teleport, ")
    _check_fails(knowledge_copy, "erp.yaml", "covers: unknown catalogue id 'teleport'")


def test_measure_vocabulary_must_name_every_family(knowledge_copy: Path) -> None:
    path = knowledge_copy / "measures.yaml"
    text = path.read_text()
    start = text.index("  energy:")
    end = text.index("  customer_service:")
    path.write_text(text[:start] + text[end:])
    _check_fails(knowledge_copy, "measures.yaml", "missing energy")


def test_loader_raises_catalogue_error_for_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="catalogue directory not found"):
        load_catalogue(tmp_path / "nowhere")


def test_maturity_scores_convert_to_eu_dmat_percentages() -> None:
    from plannum_assistant.models import MaturityAssessment

    dimensions = load_dimensions(KNOWLEDGE / "dimensions.yaml")
    scores = {Dimension.CUSTOMER_SALES: 1, Dimension.OPERATIONS_PRODUCTION: 4, Dimension.GREEN: 5}
    percentages = dimensions.dmat_percentages(MaturityAssessment(scores=scores))
    # customer_sales and operations_production both map to digital readiness: (1 + 4) / 10
    assert percentages == {DmatDimension.DIGITAL_READINESS: 50.0, DmatDimension.GREEN_DIGITALISATION: 100.0}


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("Usinage CNC de pièces de précision", "manufacturing"),
        ("Clinique de physiothérapie", "healthcare"),
        ("home care agency", "healthcare"),
        ("Career college", None),
        ("Labour hire agency", None),
        ("Label printing", "printing"),
        ("Laboratoire d'analyses environnementales", "laboratory"),
        ("food testing lab", "laboratory"),
        ("Test and balance HVAC contractor", "construction"),
        ("Banque alimentaire (OBNL)", "nonprofit"),
        ("Cabinet d'architectes", "professional_services"),
        ("Transport routier de marchandises", "transport_logistics"),
        ("Distribution de matériel électrique", "wholesale_distribution"),
        ("seed and fertiliser co-operative", "agriculture"),
        ("Restaurant familial", "restaurant_hospitality"),
    ],
)
def test_an_intakes_free_text_sector_is_classified(text: str, sector: str | None) -> None:
    from plannum_assistant.lexicon import load_sectors

    found = load_sectors(KNOWLEDGE / "sectors.yaml").best(text)
    assert (found.value if found else None) == sector
