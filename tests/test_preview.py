"""`plannum preview`: the gate and grounded candidates for an intake file, in its language."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.errors import IntakeError
from plannum_assistant.intake import load_intake

from .conftest import ROOT, run_cli

EXAMPLES = ROOT / "examples"


def test_examples_load_and_pass_the_gate(assistant: Assistant) -> None:
    for name in ("intake-fr.yaml", "intake-en.yaml"):
        intake = load_intake(EXAMPLES / name)
        gate, candidates = assistant.preview(intake, date(2026, 11, 26))
        assert gate.ready, gate.missing
        assert len(candidates) == len(intake.pain_points)
        assert all(len(hits) == 5 for hits in candidates)


def test_preview_grounds_pain_points_in_french(assistant: Assistant) -> None:
    intake = load_intake(EXAMPLES / "intake-fr.yaml")
    _, candidates = assistant.preview(intake, date(2026, 11, 26))
    shown = [[hit.id for hit in hits] for hits in candidates]  # the five candidates the preview shows
    assert "cpq-quoting" in shown[0]  # soumissions calculées à la main
    assert "mrp-scheduling" in shown[1]  # planification sur tableau blanc
    assert "inventory-management" in shown[2]  # on ne sait pas ce qu'il reste
    assert "crm" in shown[3]  # les vendeurs suivent leurs clients dans leur tête


def _write(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((EXAMPLES / "intake-fr.yaml").read_text())
    data.update(changes)
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_no_strategic_plan_says_minute_papillon(tmp_path: Path, cli_data_dir: Path) -> None:
    path = _write(tmp_path, strategic_plan=None)
    result = run_cli(
        "preview", "--intake", str(path), "--today", "2026-11-26", env={"PLANNUM_DATA_DIR": str(cli_data_dir)}
    )
    assert result.returncode == 0, result.stderr
    assert "Minute papillon" in result.stdout
    assert "Aucun plan stratégique" in result.stdout


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"language": "de"}, "language: Input should be 'fr' or 'en'"),
        ({"company": {"name": "X", "sector": "Y", "employees": "many"}}, "company.employees"),
        ({"maturity": {"green": 9}}, "maturity.green"),
    ],
)
def test_invalid_intake_names_the_field(tmp_path: Path, changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(IntakeError, match=fragment.replace("(", r"\(")):
        load_intake(_write(tmp_path, **changes))


def test_impossible_adoption_month_is_rejected(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "intake-fr.yaml").read_text())
    data["strategic_plan"]["adopted"] = "2025-13"
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = run_cli("preview", "--intake", str(path))
    assert result.returncode == 2
    assert "strategic_plan.adopted: month 13 does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
