"""Triage (issue 13): reading cohorts, bad rows, readiness, ranking, outputs read back, determinism."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from plannum_assistant.assistant import Assistant
from plannum_assistant.triage import load_policy, read_cohort, run_triage
from plannum_assistant.triage.applicants import TriageError
from plannum_assistant.triage.outputs import write_all

from .conftest import KNOWLEDGE, run_cli

TODAY = date(2026, 11, 26)
HEADER = "identifiant;entreprise;secteur;employés;région;langue;plan_adopté;mission;orientations_stratégiques;"
HEADER += "objectifs_stratégiques;orientations_opérationnelles;objectifs_opérationnels;problématiques;systèmes;"
HEADER += "budget;horizon_mois;responsable_suivi;couleur"
READY = (
    "A1;Armoires Boisvert;Fabrication de meubles;48;Estrie;fr;2025-09;Concevoir des armoires;Croître;"
    "Augmenter les ventes de 25 % d'ici décembre 2027;Fiabiliser;Livrer 95 % des commandes à temps d'ici juin 2027;"
    '"Nos soumissions prennent une semaine à sortir\nOn ne sait jamais ce qu\'il reste en stock";'
    "Sage 50;150000;24;Julie;bleu"
)
NO_PLAN = "A2;Clinique Sourire;clinique dentaire;14;Montréal;fr;;;;;;;Les patients oublient leurs rendez-vous;;;;;rouge"


def _write(path: Path, lines: list[str], bom: bool = True) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + "\n".join(lines).encode("utf-8") + b"\n")
    return path


def _policy(weights: Path | None = None):  # type: ignore[no-untyped-def]
    return load_policy(KNOWLEDGE / "triage.yaml", weights)


def test_bad_rows_go_to_errors_with_their_row_and_column_and_the_batch_goes_on(tmp_path: Path) -> None:
    lines = [
        HEADER,
        READY,  # rows 2 (its pain cell spans two lines: still one spreadsheet row)
        NO_PLAN,  # 3
        "A3;;transport;20;Laval;fr;;;;;;;des camions;;;;;",  # 4: no company name
        "A4;Boulangerie X;boulangerie;beaucoup;Québec;fr;;;;;;;;;;;;",  # 5: employees not a number
        ";;;;;;;;;;;;;;;;;",  # 6: empty
        "A7;Imprimerie Y;imprimerie;12;Québec;fr;2025-13;;;;;;;;;;;",  # 7: no 13th month
        f"A8;Ferme Z;ferme;5;Québec;fr;;;;;;;{'x' * 10_001};;;;;",  # 8: a cell over 10,000 characters
    ]
    source = _write(tmp_path / "c.csv", lines)
    source.write_bytes(
        source.read_bytes()
        + "A9;Caf\u00e9 Latin;restaurant;9;Québec;fr;;;;;;;".encode()
        + b"Le caf\xe9 d\xe9borde;;;;;\n"
    )
    cohort = read_cohort(source, _policy())
    assert [a.applicant_id for a in cohort.applicants] == ["A1", "A2"]
    assert [(e.row, e.column) for e in cohort.errors] == [
        (4, "company_name"),
        (5, "employees"),
        (6, ""),
        (7, "plan_adopted"),
        (8, "pain_points"),
        (9, "pain_points"),  # Latin-1 bytes in a UTF-8 file: that row only
    ]
    assert cohort.errors[-1].reason == "undecodable bytes (not UTF-8)"
    assert cohort.warnings == ["unknown columns ignored: couleur"]
    assert cohort.applicants[0].intake.pain_points == [
        "Nos soumissions prennent une semaine à sortir",
        "On ne sait jamais ce qu'il reste en stock",
    ]


def test_readiness_flags_and_scores_of_known_rows(assistant: Assistant, tmp_path: Path) -> None:
    cohort = read_cohort(_write(tmp_path / "c.csv", [HEADER, READY, NO_PLAN]), _policy())
    result = run_triage(assistant, cohort, _policy(), TODAY, workers=1)
    by_id = {r.applicant_id: r for r in result.rows}
    ready, waiting = by_id["A1"], by_id["A2"]
    assert ready.ready and not ready.missing and "no_plan" not in ready.flags
    assert not waiting.ready and "no_plan" in waiting.flags and waiting.missing
    assert not waiting.top_initiatives and waiting.budget_min == 0
    # Scores from the shipped weights (30/25/20/15/10), computed here from the rows' own facts:
    answered = 1.0  # both of A1's pains are answered by its plan
    expected = 30 + 25 * 0.5 + 20 * answered + 15 * 1.0 + 10  # unrated maturity counts half; budget covers
    assert ready.priority_score == expected and ready.top_initiatives
    assert waiting.priority_score == 25 * 0.5 + 15 * 0.5  # not ready, nothing answered, budget unknown
    assert [r.applicant_id for r in result.rows] == ["A1", "A2"]


def test_the_weights_file_decides_the_order(assistant: Assistant, tmp_path: Path) -> None:
    rows = [HEADER]
    owners = {"B3": "Ana", "B1": "", "B2": "Luc", "B4": ""}
    for applicant_id, owner in owners.items():
        pain = "Les devis prennent trop de temps"
        rows.append(f"{applicant_id};Cie {applicant_id};imprimerie;12;Québec;fr;;;;;;;{pain};;;;{owner};")
    weights = tmp_path / "w.yaml"
    weights.write_text(
        "weights: {readiness: 0, maturity_gap: 0, answered: 0, budget: 0, follow_up: 10}\n", encoding="utf-8"
    )
    policy = _policy(weights)
    result = run_triage(assistant, read_cohort(_write(tmp_path / "c.csv", rows), policy), policy, TODAY, workers=1)
    # Owners first (10 points), then the others; ties by applicant id.
    assert [r.applicant_id for r in result.rows] == ["B2", "B3", "B1", "B4"]
    assert [r.priority_score for r in result.rows] == [10, 10, 0, 0]
    assert result.rows[0].explanation == "follow_up +10.0"


def test_outputs_read_back_and_are_byte_identical_run_after_run(assistant: Assistant, tmp_path: Path) -> None:
    source = _write(tmp_path / "c.csv", [HEADER, READY, NO_PLAN, "A3;;transport;20;Laval;fr;;;;;;;x;;;;;"])
    outputs = []
    for run in ("one", "two"):
        cohort = read_cohort(source, _policy())
        result = run_triage(assistant, cohort, _policy(), TODAY, workers=1)
        write_all(result, tmp_path / run, assistant.wording, TODAY)
        outputs.append(
            {name: (tmp_path / run / name).read_bytes() for name in ("triage.csv", "summary.md", "errors.csv")}
        )
    assert outputs[0] == outputs[1]
    with (tmp_path / "one" / "triage.csv").open(encoding="utf-8", newline="") as stream:
        table = list(csv.DictReader(stream))
    assert [r["rank"] for r in table] == ["1", "2"] and table[0]["applicant_id"] == "A1" and table[0]["ready"] == "yes"
    assert table[0]["top_initiatives"] and float(table[0]["budget_max"]) >= float(table[0]["budget_min"]) > 0
    with (tmp_path / "one" / "errors.csv").open(encoding="utf-8", newline="") as stream:
        assert list(csv.reader(stream)) == [["row", "column", "reason"], ["4", "company_name", "no company name"]]
    sheet = load_workbook(tmp_path / "one" / "triage.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["rank", "applicant_id", "company_name"] and "maturity_customer_sales" in header
    assert sheet.cell(row=2, column=2).value == "A1" and isinstance(sheet.cell(row=2, column=13).value, float)
    page = (tmp_path / "one" / "summary.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "Triage de la cohorte" in page


def test_xlsx_and_jsonl_cohorts_are_read_like_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (HEADER, NO_PLAN):
        sheet.append(line.split(";"))
    sheet.append(["A9", "Garage Roy", "garage", 7.0, "Lévis", "fr", date(2025, 10, 1)] + [""] * 11)
    book.save(tmp_path / "c.xlsx")
    cohort = read_cohort(tmp_path / "c.xlsx", _policy())
    assert [a.applicant_id for a in cohort.applicants] == ["A2", "A9"]
    plan = cohort.applicants[1].intake.strategic_plan
    assert cohort.applicants[1].intake.company.employees == 7 and plan is not None and plan.adopted == date(2025, 10, 1)
    intake = {"language": "en", "company": {"name": "Lakeside", "sector": "food distribution", "employees": 85}}
    lines = [json.dumps(intake | {"applicant_id": "J1"}), "{not json", json.dumps({"language": "en"})]
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cohort = read_cohort(jsonl, _policy())
    assert [a.applicant_id for a in cohort.applicants] == ["J1"]
    assert [(e.row, e.column) for e in cohort.errors] == [(2, ""), (3, "company")]


def test_an_unreadable_file_is_one_line_and_exit_2_and_the_template_round_trips(
    tmp_path: Path, cli_data_dir: Path
) -> None:
    garbage = tmp_path / "cohort.xlsx"
    garbage.write_bytes(b"\x00\x01 not a workbook")
    with pytest.raises(TriageError, match="not a readable XLSX"):
        read_cohort(garbage, _policy())
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    failed = run_cli("triage", str(garbage), "--out", str(tmp_path / "o"), env=env)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    made = run_cli("triage", "template", "--format", "csv", "--lang", "en", "--out", str(tmp_path / "t.csv"), env=env)
    assert made.returncode == 0, made.stderr
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as stream:
        header, example = list(csv.reader(stream))
    assert header[0] == "applicant_id" and example[1] == "Lakeside Fine Foods Ltd."
    ran = run_cli("triage", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o"), "--today", "2026-11-26", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "1 applicants ranked, 0 row(s) in error" in ran.stdout


def test_two_worker_processes_give_the_same_table_as_one(assistant: Assistant, tmp_path: Path) -> None:
    rows = [HEADER] + [READY.replace("A1;", f"R{n:02d};", 1) for n in range(20)]
    rows += [NO_PLAN.replace("A2;", f"S{n:02d};", 1) for n in range(20)]
    cohort = read_cohort(_write(tmp_path / "c.csv", rows), _policy())
    alone = run_triage(assistant, cohort, _policy(), TODAY, workers=1)
    shared = run_triage(assistant, cohort, _policy(), TODAY, workers=2)
    assert [(r.applicant_id, r.priority_score, r.top_initiatives) for r in shared.rows] == [
        (r.applicant_id, r.priority_score, r.top_initiatives) for r in alone.rows
    ]


def test_numbers_as_people_type_them_and_hostile_cells(assistant: Assistant, tmp_path: Path) -> None:
    base = "{id};{name};imprimerie;{employees};Québec;fr;;;;;;;Les devis prennent trop de temps;;{budget};;;"
    rows = [
        HEADER,
        base.format(id="N1", name="Imprimerie Une", employees="1,200", budget="25,000"),
        base.format(id="N2", name="Imprimerie Deux", employees="12", budget="15\u00a0000"),
        base.format(id="N3", name="Imprimerie Trois", employees="1e999", budget=""),
        base.format(id="N4", name="ACME\x0binc", employees="12", budget=""),
        base.format(id="N5", name='=HYPERLINK("http://x","Acme")', employees="12", budget="12,5"),
    ]
    cohort = read_cohort(_write(tmp_path / "c.csv", rows), _policy())
    by_id = {a.applicant_id: a.intake for a in cohort.applicants}
    assert by_id["N1"].company.employees == 1200 and by_id["N1"].constraints.budget_cad == 25000
    assert by_id["N2"].constraints.budget_cad == 15000 and by_id["N5"].constraints.budget_cad == 12.5
    assert [(e.row, e.column) for e in cohort.errors] == [(4, "employees"), (5, "company_name")]
    result = run_triage(assistant, cohort, _policy(), TODAY, workers=1)
    write_all(result, tmp_path / "out", assistant.wording, TODAY)
    with (tmp_path / "out" / "triage.csv").open(encoding="utf-8", newline="") as stream:
        names = [r["company_name"] for r in csv.DictReader(stream)]
    assert '\'=HYPERLINK("http://x","Acme")' in names  # inert in a spreadsheet
    sheet = load_workbook(tmp_path / "out" / "triage.xlsx").active
    assert sheet is not None
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)  # text, never a formula


def test_jsonl_lines_split_only_on_new_lines(tmp_path: Path) -> None:
    intake = {"language": "en", "company": {"name": "A\u2028B", "sector": "print shop", "employees": 8}}
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(intake, ensure_ascii=False) + "\n", encoding="utf-8")
    cohort = read_cohort(path, _policy())
    assert len(cohort.applicants) == 1 and not cohort.errors


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_a_cohort_file_over_the_size_limit_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    import plannum_assistant.triage.applicants as applicants

    path = tmp_path / f"cohort{suffix}"
    path.write_bytes(b"x" * 2_000)
    monkeypatch.setattr(applicants, "MAX_COHORT_BYTES", 1_000)
    with pytest.raises(TriageError, match=r"larger than 1,000 bytes, refused"):
        read_cohort(path, load_policy(KNOWLEDGE / "triage.yaml"))
