"""The planner on every scenario company: the hard targets hold (gate, validity, no forbidden id)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plannum_assistant.assistant import Assistant
from plannum_assistant.errors import EvalError
from plannum_assistant.evals import evaluate_scenarios, format_scenarios, load_scenarios

from .conftest import ROOT, run_cli


@pytest.mark.parametrize(
    ("folder", "committed"), [("scenarios", "scenarios.json"), ("scenarios-heldout", "scenarios-heldout.json")]
)
def test_scenarios_meet_the_hard_targets_and_the_committed_floors(
    assistant: Assistant, folder: str, committed: str
) -> None:
    scenarios = load_scenarios(ROOT / "evals" / folder, assistant.catalogue)
    report = evaluate_scenarios(
        scenarios, assistant.plan, catalogue_hash=assistant.catalogue.content_hash, catalogue=assistant.catalogue
    )
    summary = report["summary"]
    assert summary["gate_accuracy"] == 1.0
    assert summary["validity"] == 1.0
    assert summary["must_not_include_violations"] == 0, format_scenarios(report)
    blocked = [row for row in report["rows"] if not row["gate_expected"]]
    assert blocked and all(row["planned"] == [] for row in blocked)  # no plan without a recent strategy
    # No regression below the figures of the committed report (re-run `plannum eval scenarios` to raise them).
    floor = json.loads((ROOT / "evals" / "reports" / committed).read_text())["summary"]
    for metric in ("must_include_recall", "precision_vs_must_include"):
        assert summary[metric] >= floor[metric], (metric, format_scenarios(report))


def test_scenario_expectations_must_name_real_ids(assistant: Assistant, tmp_path: Path) -> None:
    source = next((ROOT / "evals" / "scenarios").glob("*.yaml"))
    (tmp_path / "x.yaml").write_text(source.read_text().replace("must_include: [", "must_include: [hoverboard, "))
    with pytest.raises(EvalError, match="unknown catalogue id 'hoverboard'"):
        load_scenarios(tmp_path, assistant.catalogue)


def test_cli_eval_scenarios_writes_the_report(tmp_path: Path, cli_data_dir: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("11-renovation-sans-plan.yaml", "10-regional-freight-carrier.yaml"):
        (folder / name).write_text((ROOT / "evals" / "scenarios" / name).read_text())
    report = tmp_path / "report.json"
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    result = run_cli("eval", "scenarios", "--dir", str(folder), "--report", str(report), env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["scenarios"] == 2 and data["summary"]["gate_accuracy"] == 1.0
    assert "gate_accuracy: 1.0" in result.stdout
