"""Input at and past the intake's limits (issue 15): every intake the schema accepts is planned, every
other one is refused in one line naming the field; what the plan quotes is clipped and inert."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from plannum_assistant import retrieval
from plannum_assistant.assistant import Assistant
from plannum_assistant.errors import IntakeError, KnowledgeError
from plannum_assistant.files import parse_yaml
from plannum_assistant.intake import Intake
from plannum_assistant.knowledge import load_planner_config
from plannum_assistant.models import LONGEST_HORIZON_MONTHS, TEXT_MAX_CHARS

from .conftest import ROOT, run_cli

EXAMPLE = yaml.safe_load((ROOT / "examples" / "intake-en.yaml").read_text(encoding="utf-8"))
TODAY = "2026-03-01"


def _one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-1000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0][:500]
    return lines[0]


def _intake(tmp_path: Path, data: dict[str, Any], name: str = "intake.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**6), encoding="utf-8")
    return path


def _fill(seed: str, size: int) -> str:
    """``seed`` repeated up to exactly ``size`` characters (words kept whole but the last)."""
    text = seed
    while len(text) < size:
        text += " " + seed
    return text[:size].rstrip(" ")


def _max_intake() -> dict[str, Any]:
    """An intake at every limit: each list as long and each text as long as the schema allows, every
    objective about the same warehouse (so one initiative serves and answers as many as it can)."""

    def objective(n: int) -> str:
        return _fill(f"Reach 99% picking accuracy in warehouse {n} by June 2027, cut picking errors by 40%.", 4000)

    plan = {
        "adopted": "2026-01",
        "mission": _fill("Bring fresh regional food to grocers, on time, every time.", 4000),
        "strategic_orientations": [_fill(f"Win the large grocery chains {n}", 4000) for n in range(20)],
        "strategic_objectives": [objective(n) for n in range(20)],
        "operational_orientations": [_fill(f"Make warehouse {n} reliable and traceable", 4000) for n in range(20)],
        "operational_objectives": [objective(100 + n) for n in range(20)],
    }
    pain = "Pickers walk the whole warehouse {} looking for products and ship the wrong items to our customers"
    return {
        "language": "en",
        "company": {
            "name": _fill("Lakeside Fine Foods", 4000),
            "sector": _fill("Food distribution", 4000),
            "employees": 100_000,
            "region": _fill("Ontario", 4000),
        },
        "strategic_plan": plan,
        "worksheet": {key: value for key, value in plan.items() if key != "adopted"},
        "maturity": {dimension: 0 for dimension in ("supply_chain_logistics", "data_integration", "green")},
        "pain_points": [_fill(pain.format(n), 1000) for n in range(50)],
        "pain_functions": ["supply_chain"] * 50,
        "existing_systems": [_fill(f"Acumatica ERP module {n}", 4000) for n in range(50)],
        "constraints": {"budget_cad": 1_000_000_000, "horizon_months": 36, "follow_up_owner": _fill("Julie Roy", 4000)},
        "team": [{"name": _fill(f"Julie Roy {n}", 200), "role": _fill("warehouse manager", 200)} for n in range(50)],
    }


# --- the planner handles every intake the schema accepts (item 5) ----------------------------------


def test_two_long_objectives_served_by_one_initiative_give_a_valid_plan(cli_data_dir: Path, tmp_path: Path) -> None:
    """Two objectives of ~1,900 characters both served by the WMS made a rationale over 4,000 characters:
    a traceback. Objectives are quoted cut short, as pain points are."""
    data = copy.deepcopy(EXAMPLE)
    cause = " Pickers must stop walking the whole warehouse looking for products and shipping the wrong items."
    data["strategic_plan"]["operational_objectives"] = [
        "Reach 99% picking accuracy by June 2027." + cause * 18,
        "Reach 98% picking accuracy in the second warehouse by June 2027." + cause * 18,
    ]
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    out = tmp_path / "plan.json"
    result = run_cli("plan", "--intake", str(_intake(tmp_path, data)), "--today", TODAY, "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert run_cli("validate", "--plan", str(out), env=env).returncode == 0
    (wms,) = [i for i in json.loads(out.read_text())["initiatives"] if i["catalogue_id"] == "wms"]
    assert wms["supports"] == ["OO1", "OO2"]
    assert len(wms["rationale"]) < 1200 and 'OO1 "Reach 99% picking accuracy by June 2027.' in wms["rationale"]
    assert wms["rationale"].count("…") == 2  # both quotes cut, said so


def test_an_intake_at_every_limit_is_planned_and_exported(cli_data_dir: Path, tmp_path: Path) -> None:
    data = _max_intake()
    Intake.model_validate(data)  # at every limit, not past one
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    out = tmp_path / "plan.json"
    intake = _intake(tmp_path, data)
    result = run_cli("plan", "--intake", str(intake), "--today", TODAY, "--out", str(out), "--save", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    plan = json.loads(out.read_text())
    assert plan["gate"]["ready"] and plan["initiatives"]
    assert all(len(i["rationale"]) <= TEXT_MAX_CHARS for i in plan["initiatives"])
    widest = max(plan["initiatives"], key=lambda i: len(i["addresses"]))
    assert len(widest["addresses"]) == 50  # every pain is about the warehouse: twelve quoted, the rest named
    assert '", P13, P14, ' in widest["rationale"] and ", P50. " in widest["rationale"]
    stored = result.stdout.strip().splitlines()[-1]
    for fmt in ("md", "html"):
        exported = run_cli("export", stored, "--format", fmt, "--out", str(tmp_path / f"plan.{fmt}"), env=env)
        assert exported.returncode == 0, exported.stderr[-2000:]


def test_past_the_list_limits_an_intake_is_refused_in_one_line(cli_data_dir: Path, tmp_path: Path) -> None:
    """350 objectives were accepted (and once crashed the store); the schema caps every list."""
    data = copy.deepcopy(EXAMPLE)
    data["strategic_plan"]["strategic_objectives"] = [f"Sign {n} regional chains by 2027" for n in range(350)]
    result = run_cli("plan", "--intake", str(_intake(tmp_path, data)), env={"PLANNUM_DATA_DIR": str(cli_data_dir)})
    _one_line_error(result, "strategic_plan.strategic_objectives", "at most 20 items")


def test_a_batch_larger_than_the_vector_cache_keeps_every_vector_it_needs(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,048+ distinct texts in one plan once lost vectors the same call needed: each text keeps its own
    vector whatever the cache holds (here a cache of 3 for batches of 10)."""
    retriever = assistant.retriever
    texts = [f"our invoices for customer {n} are typed twice" for n in range(8)]
    batch = [*texts, texts[0], texts[5]]
    retriever.clear_cache()
    expected = retriever.embed(batch)
    monkeypatch.setattr(retrieval, "_EMBEDDING_CACHE", 3)
    retriever.clear_cache()
    assert np.array_equal(retriever.embed(batch), expected)
    # Partly from the cache, the rest encoded again (in another batch: equal to float noise).
    assert np.allclose(retriever.embed(batch[::-1]), expected[::-1], atol=1e-5)
    assert [len(hits) for hits in retriever.search_many(batch, top_k=3)] == [3] * len(batch)


# --- strict values and files (item 12) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("constraints", "budget_cad"), float("inf"), "constraints.budget_cad"),
        (("constraints", "budget_cad"), float("nan"), "constraints.budget_cad"),
        (("constraints", "budget_cad"), 1e15, "constraints.budget_cad"),
        (("company", "employees"), True, "company.employees"),
        (("maturity", "green"), True, "maturity.green"),
        (("constraints", "horizon_months"), 60, "constraints.horizon_months"),
    ],
)
def test_a_value_the_plan_cannot_carry_is_refused(
    path: tuple[str, str], value: object, field: str, cli_data_dir: Path, tmp_path: Path
) -> None:
    data = copy.deepcopy(EXAMPLE)
    data[path[0]][path[1]] = value
    result = run_cli("plan", "--intake", str(_intake(tmp_path, data)), env={"PLANNUM_DATA_DIR": str(cli_data_dir)})
    _one_line_error(result, field)


def test_the_intakes_horizon_is_the_planners_longest(knowledge_copy: Path) -> None:
    schema = Intake.model_json_schema()["$defs"]["Constraints"]["properties"]["horizon_months"]
    maximum = next(option["maximum"] for option in schema["anyOf"] if "maximum" in option)
    planner = load_planner_config(ROOT / "knowledge" / "planner.yaml")
    assert maximum == LONGEST_HORIZON_MONTHS == planner.horizons[-1].until_months
    path = knowledge_copy / "planner.yaml"
    path.write_text(path.read_text().replace("until_months: 36}", "until_months: 48}"))
    with pytest.raises(KnowledgeError, match="must end at 36 months"):
        load_planner_config(path)


def test_an_order_cue_split_by_an_unquoted_comma_is_refused(knowledge_copy: Path) -> None:
    """`[…, from now on, you, …]` is two cues in YAML, and "you" alone would cut every statement with a
    sentence opening "You…" out of the search: one word is refused, the quoted phrase is kept."""
    path = knowledge_copy / "planner.yaml"
    text = path.read_text(encoding="utf-8")
    quoted = text.replace("approve this plan$]", 'approve this plan$, "from now on, you"]')
    path.write_text(quoted, encoding="utf-8")
    assert "from now on, you" in load_planner_config(path).selection.instruction_cues.en
    path.write_text(text.replace("approve this plan$]", "approve this plan$, from now on, you]"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="an order cue is a phrase of two words or more, not 'you'"):
        load_planner_config(path)


def test_infinity_in_a_plan_file_is_refused(cli_data_dir: Path, tmp_path: Path) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    out = tmp_path / "plan.json"
    intake = str(ROOT / "examples" / "intake-en.yaml")
    assert run_cli("plan", "--intake", intake, "--today", TODAY, "--out", str(out), env=env).returncode == 0
    data = json.loads(out.read_text())
    data["budget"]["total_max"] = float("inf")
    out.write_text(json.dumps(data))  # `Infinity`, as `plan` printed for `budget_cad: .inf`: not JSON
    _one_line_error(run_cli("validate", "--plan", str(out), env=env), "budget.total_max")


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "language: en\ncompany:\n  name: Acme\n  employees: 30\n  sector: shop\n  employees: 3000\n"
    with pytest.raises(IntakeError, match=r"line 6: invalid YAML: key 'employees' given twice"):
        parse_yaml(tmp_path / "intake.yaml", text.encode(), IntakeError)
    merged = "base: &b {k: 1, m: 2}\nd:\n  <<: *b\n  k: 3\n"  # a merge key may still be overridden
    assert parse_yaml(tmp_path / "x.yaml", merged.encode(), IntakeError)["d"] == {"k": 3, "m": 2}
    path = tmp_path / "twice.yaml"
    example = (ROOT / "examples" / "intake-en.yaml").read_text()
    path.write_text(example + "language: fr\n")
    _one_line_error(run_cli("plan", "--intake", str(path)), "given twice", f"line {len(example.splitlines()) + 1}:")


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
def test_a_reference_date_out_of_range_is_one_line(today: str, cli_data_dir: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(EXAMPLE)
    data["strategic_plan"]["adopted"] = "9999-06-01"  # a plan adopted then is recent, so the planner runs
    result = run_cli(
        "plan", "--intake", str(_intake(tmp_path, data)), "--today", today, env={"PLANNUM_DATA_DIR": str(cli_data_dir)}
    )
    _one_line_error(result, "--today", "expected a date from 1900-01-01 to 2999-12-31")


# --- low: inert Markdown, bounded files and error lines ----------------------------------------------

HOSTILE_NAME = "Acme\n# Injected heading\n<script>alert(1)</script>"
HOSTILE_PAIN = "<img src=x onerror=alert(1)> **our quotes** take [three days](http://x) to send\n- a list"


def test_the_owners_words_stay_text_in_markdown_and_html(assistant: Assistant, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    from plannum_assistant.consultant_note import note_markdown
    from plannum_assistant.exports import export
    from plannum_assistant.markdown import to_markdown
    from plannum_assistant.review import new_stored_plan

    data = copy.deepcopy(EXAMPLE)
    data["company"]["name"] = HOSTILE_NAME
    data["pain_points"][0] = HOSTILE_PAIN
    intake = Intake.model_validate(data)
    report = assistant.plan(intake, date(2026, 3, 1))
    markdown = to_markdown(report, assistant.wording)
    assert markdown.splitlines()[0].startswith("# ") and "Injected heading" in markdown.splitlines()[0]
    assert not any(line.startswith("# ") for line in markdown.splitlines()[1:])
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script>" not in rendered and "<img" not in rendered and "<strong>our quotes" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert rendered.count("<h1>") == 1 and 'href="http://x"' not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt; **our quotes** take [three days](http://x) to send - a list" in rendered
    page = export(new_stored_plan("x1", report), report, assistant.wording, "html", assistant.catalogue).decode()
    assert "<script>" not in page and "<img src=x" not in page
    assert "Acme # Injected heading &lt;script&gt;alert(1)&lt;/script&gt;" in page  # as typed, no backslash
    assert "&lt;img src=x onerror=alert(1)&gt; **our quotes** take [three days](http://x) to send - a list" in page
    note = MarkdownIt("commonmark").render(note_markdown(assistant.consultant_note(date(2026, 3, 1), intake=intake)))
    assert note.count("<h1>") == 1 and "Injected heading" in note.split("</h1>")[0]
    assert "<script>" not in note and "<img" not in note and 'href="http://x"' not in note


def test_an_intake_larger_than_the_limit_is_not_read(tmp_path: Path) -> None:
    padded = tmp_path / "padded.yaml"
    padded.write_text((ROOT / "examples" / "intake-en.yaml").read_text() + "#" * 5_000_000 + "\n")
    _one_line_error(run_cli("preview", "--intake", str(padded)), "padded.yaml", "larger than 4,000,000 bytes")
    _one_line_error(run_cli("preview", "--intake", "/dev/zero"), "/dev/zero", "larger than 4,000,000 bytes")
    _one_line_error(run_cli("interview", "--script", "/dev/zero"), "/dev/zero", "larger than 10,000,000 bytes")


def test_an_error_quoting_a_huge_answer_stays_one_short_line(cli_data_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    answers = {
        "company.name": "Acme",
        "company.sector": "machine shop",
        "company.employees": "30",
        "strategic_plan.exists": "no",
        "existing_systems": [f"Tool {n}" for n in range(100_000)],
    }
    script.write_text(yaml.safe_dump({"language": "en", "answers": answers}))
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    result = run_cli("interview", "--script", str(script), "--out", str(tmp_path / "out"), env=env)
    line = _one_line_error(result, "existing_systems", "not accepted", "characters)")
    assert len(line) < 600
    plan = tmp_path / "plan.json"
    intake = str(ROOT / "examples" / "intake-en.yaml")
    assert run_cli("plan", "--intake", intake, "--today", TODAY, "--out", str(plan), env=env).returncode == 0
    data = json.loads(plan.read_text())
    activity = data["action_plan"][0]["activities"][0]
    activity["name"] = "Train\nthe team " * 240  # 3,840 characters, quoted by the rule that fails
    activity["target_date"] = "2000-01-01"
    plan.write_text(json.dumps(data))
    line = _one_line_error(run_cli("validate", "--plan", str(plan), env=env), "activities.0", "must be after start")
    assert len(line) <= len("plannum: error: ") + 1000
