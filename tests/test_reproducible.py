"""The same intakes planned in two fresh processes give byte-identical plans."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import KNOWLEDGE, ROOT

_PLAN_ALL = """
import sys
from datetime import date
from pathlib import Path

import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.intake import Intake
from plannum_assistant.settings import Settings

assistant = Assistant(Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2])))
for path in sys.argv[3:]:
    data = yaml.safe_load(Path(path).read_text())
    intake, today = Intake.model_validate(data["intake"]), date.fromisoformat(data["today"])
    sys.stdout.write(assistant.plan(intake, today).model_dump_json() + "\\n")
"""


def test_plans_are_identical_across_fresh_processes(cli_data_dir: Path) -> None:
    scenarios = sorted(
        str(p) for folder in ("scenarios", "scenarios-heldout") for p in (ROOT / "evals" / folder).glob("*.yaml")
    )
    base = [sys.executable, "-c", _PLAN_ALL, str(cli_data_dir), str(KNOWLEDGE)]
    # The second process plans them in reverse order: nothing one plan leaves behind may change the next.
    runs = [
        subprocess.run([*base, *order], capture_output=True, timeout=300, env=os.environ.copy())
        for order in (scenarios, scenarios[::-1])
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr.decode()[-2000:]
    first, second = runs[0].stdout.splitlines(), runs[1].stdout.splitlines()[::-1]
    assert len(first) == len(scenarios)
    differing = [Path(s).name for s, a, b in zip(scenarios, first, second, strict=True) if a != b]
    assert differing == []
