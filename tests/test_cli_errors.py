"""Bad input at the command line: one line naming the problem, exit code 2, nothing half-written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import ROOT, run_cli


def _one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("search", "crm", "--colour", "red"), "unrecognized arguments: --colour"),
        (("--nope",), "unrecognized arguments: --nope"),
        (("search", "x", "--top", "zero"), "expected a whole number"),
        (("search", "x", "--format", "xml"), "invalid choice: 'xml'"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_options(args: tuple[str, ...], fragment: str, tmp_path: Path) -> None:
    result = run_cli(*args, env={"PLANNUM_DATA_DIR": str(tmp_path / "data")})
    _one_line_error(result, fragment)
    assert not (tmp_path / "data").exists()


def test_empty_query(tmp_path: Path) -> None:
    result = run_cli("search", "  ", env={"PLANNUM_DATA_DIR": str(tmp_path / "data")})
    _one_line_error(result, "empty query")
    assert not (tmp_path / "data").exists()  # refused before touching the data directory


def test_one_megabyte_query_on_stdin(tmp_path: Path) -> None:
    huge = ("nos soumissions prennent trop de temps " * 30_000)[:1_048_576].encode()
    result = run_cli("search", "-", env={"PLANNUM_DATA_DIR": str(tmp_path / "data")}, stdin=huge)
    _one_line_error(result, "query too long")
    assert not (tmp_path / "data").exists()


def test_malformed_catalogue_writes_nothing_to_the_data_dir(knowledge_copy: Path, tmp_path: Path) -> None:
    (knowledge_copy / "catalogue" / "crm.yaml").write_text("id: crm\nname: [oops\n")
    data = tmp_path / "data"
    env = {"PLANNUM_KNOWLEDGE_DIR": str(knowledge_copy), "PLANNUM_DATA_DIR": str(data)}
    for args in (("index",), ("search", "on perd nos clients")):
        _one_line_error(run_cli(*args, env=env), "crm.yaml", "invalid YAML")
    assert not data.exists() or not any(data.iterdir())


def test_invalid_setting_is_named(tmp_path: Path) -> None:
    result = run_cli("search", "x", env={"PLANNUM_MAX_QUERY_CHARS": "lots"})
    _one_line_error(result, "PLANNUM_MAX_QUERY_CHARS")


def test_wrong_type_in_eval_set(tmp_path: Path) -> None:
    bad = tmp_path / "set.yaml"
    bad.write_text("version: 1\nitems:\n  - id: a\n    lang: de\n    text: hi\n    acceptable: [crm]\n")
    result = run_cli("eval", "retrieval", "--set", str(bad), env={"PLANNUM_DATA_DIR": str(tmp_path / "d")})
    _one_line_error(result, "set.yaml", "items.0.lang")


def test_schema_describes_exactly_what_plan_prints(cli_data_dir: Path, tmp_path: Path) -> None:
    import json

    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["title"] == "PlanReport" and schema["additionalProperties"] is False
    out = tmp_path / "plan.json"
    intake = str(ROOT / "examples" / "intake-en.yaml")
    planned = run_cli("plan", "--intake", intake, "--out", str(out), env={"PLANNUM_DATA_DIR": str(cli_data_dir)})
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(out.read_text())
    jsonschema.validate(plan, schema)  # every field printed is described, and nothing else is allowed
    plan["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(plan, schema)
    intake_schema = json.loads(run_cli("schema", "--model", "intake").stdout)
    jsonschema.validate(yaml.safe_load((ROOT / "examples" / "intake-en.yaml").read_text()), intake_schema)


def test_validate_accepts_a_printed_plan_and_names_the_broken_rule(cli_data_dir: Path, tmp_path: Path) -> None:
    import json

    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    plan = tmp_path / "plan.json"
    intake = str(ROOT / "examples" / "intake-fr.yaml")
    assert run_cli("plan", "--intake", intake, "--today", "2026-11-26", "--out", str(plan), env=env).returncode == 0
    ok = run_cli("validate", "--plan", str(plan), env=env)
    assert ok.returncode == 0 and "valid plan" in ok.stdout, ok.stderr
    data = json.loads(plan.read_text())
    data["review"] = {"status": "approved", "reviewer": "Ann", "decided_on": "2026-11-27", "comments": []}
    data["follow_up"]["owner"] = None
    plan.write_text(json.dumps(data))
    _one_line_error(run_cli("validate", "--plan", str(plan), env=env), "follow_up.owner", "before it leaves draft")
    plan.write_text("{not json")
    _one_line_error(run_cli("validate", "--plan", str(plan), env=env), "invalid JSON", "line 1")
