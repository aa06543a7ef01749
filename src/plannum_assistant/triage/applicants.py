"""Reading a cohort of applicants (``plannum triage FILE``): CSV, XLSX or JSONL, one applicant per row.

CSV is UTF-8 with or without a BOM, ``,`` or ``;`` (detected); XLSX is the first sheet; both have a
header row whose spellings are listed in ``knowledge/triage.yaml`` (French aliases included; case,
accents, spaces and hyphens do not matter). Multi-valued cells hold items separated by ``;`` or new
lines. JSONL holds one intake object per line (the intake file format) plus an optional
``applicant_id``. A bad row never stops the batch: it becomes a :class:`RowError` (row number as a
spreadsheet shows it, column, reason). Only an unreadable file raises :class:`TriageError`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import PlannumError
from ..files import first_error, load_model, read_limited
from ..intake import Intake
from ..vocabulary import Dimension

COLUMNS = (
    "applicant_id",
    "company_name",
    "sector",
    "employees",
    "region",
    "language",
    "plan_adopted",
    "mission",
    "strategic_orientations",
    "strategic_objectives",
    "operational_orientations",
    "operational_objectives",
    "pain_points",
    "existing_systems",
    "budget_cad",
    "horizon_months",
    "follow_up_owner",
)
LISTS = (
    "strategic_orientations",
    "strategic_objectives",
    "operational_orientations",
    "operational_objectives",
    "pain_points",
    "existing_systems",
)


class TriageError(PlannumError):
    """Raised when the applicants file itself cannot be read (not a row: a row becomes errors.csv).

    Fix: give a UTF-8 CSV (``,`` or ``;``), an XLSX whose first sheet has the header row, or a JSONL file.
    """


class TriagePolicy(BaseModel):
    """knowledge/triage.yaml: column spellings, the priority weights, the limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    columns: dict[str, list[str]]
    weights: dict[Literal["readiness", "maturity_gap", "answered", "budget", "follow_up"], float]
    limits: dict[Literal["cell_chars", "rows"], int]


class WeightsFile(BaseModel):
    """``--weights FILE``: some or all of the weights (the others keep the shipped values)."""

    model_config = ConfigDict(extra="forbid")

    weights: dict[Literal["readiness", "maturity_gap", "answered", "budget", "follow_up"], float] = Field(
        default_factory=dict
    )


def load_policy(path: Path, weights: Path | None = None) -> TriagePolicy:
    policy = load_model(path, TriagePolicy, TriageError)
    if weights is None:
        return policy
    override = load_model(weights, WeightsFile, TriageError)
    if any(value < 0 for value in override.weights.values()):
        raise TriageError(f"{weights}: weights must be zero or more")
    return policy.model_copy(update={"weights": policy.weights | override.weights})


@dataclass(frozen=True)
class Applicant:
    row: int  # as a spreadsheet shows it (the header is row 1); the line number in JSONL
    applicant_id: str
    intake: Intake


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class Cohort:
    applicants: list[Applicant]
    errors: list[RowError]
    warnings: list[str]


def fold(text: str) -> str:
    """A header as compared: lower case, no accents, spaces and hyphens as underscores."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(plain.lower().replace("-", " ").split())


MAX_COHORT_BYTES = 200_000_000  # 10,000 applicants of 20 KB each; /dev/zero or a wrong file is refused


def read_cohort(path: Path, policy: TriagePolicy) -> Cohort:
    if not path.is_file():
        raise TriageError(f"{path}: no such file")
    if path.stat().st_size > MAX_COHORT_BYTES:
        raise TriageError(f"{path}: larger than {MAX_COHORT_BYTES:,} bytes, refused (is it the right file?)")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl(path, policy)
    rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    return _table(path, rows, policy)


def _csv_rows(path: Path) -> list[list[str]]:
    """Undecodable bytes are kept as lone surrogates (``surrogateescape``): their row becomes an
    error, the others are read."""
    data = read_limited(path, MAX_COHORT_BYTES, TriageError)
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    first = text.split("\n", 1)[0]
    if _undecodable(first):
        raise TriageError(f"{path}: the header row is not UTF-8 text; save the file as CSV UTF-8")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    csv.field_size_limit(max(csv.field_size_limit(), 10_000_000))  # a long cell is a row error, not a file error
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TriageError(f"{path}: unreadable CSV ({exc})") from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TriageError(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    rows = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _cell_text(value: object) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, rows: list[list[str]], policy: TriagePolicy) -> Cohort:
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise TriageError(f"{path}: no header row (see 'plannum triage template')")
    spellings = {fold(alias): column for column, aliases in policy.columns.items() for alias in [column, *aliases]}
    spellings |= {f"maturity_{d.value}": f"maturity.{d.value}" for d in Dimension}  # optional: 0-5 per dimension
    header = [spellings.get(fold(cell)) for cell in rows[0]]
    warnings = []
    unknown = [cell for cell, column in zip(rows[0], header, strict=True) if column is None and cell.strip()]
    if unknown:
        warnings.append(f"unknown columns ignored: {', '.join(unknown)}")
    if "company_name" not in header:
        raise TriageError(
            f"{path}: no company_name column (accepted headers: {', '.join(policy.columns['company_name'])})"
        )
    if len(rows) - 1 > policy.limits["rows"]:
        raise TriageError(f"{path}: {len(rows) - 1} rows, at most {policy.limits['rows']}")
    cohort = Cohort([], [], warnings)
    for number, row in enumerate(rows[1:], start=2):
        values = {column: cell.strip() for column, cell in zip(header, row, strict=False) if column}
        _add(cohort, number, values, policy)
    return cohort


def _add(cohort: Cohort, row: int, values: dict[str, str], policy: TriagePolicy) -> None:
    if not any(values.values()):
        cohort.errors.append(RowError(row, "", "empty row"))
        return
    for column, value in values.items():
        if _CONTROL.search(value):
            cohort.errors.append(RowError(row, column, "control characters in the cell"))
            return
        if _undecodable(value):
            cohort.errors.append(RowError(row, column, "undecodable bytes (not UTF-8)"))
            return
        if len(value) > policy.limits["cell_chars"]:
            cohort.errors.append(
                RowError(row, column, f"{len(value)} characters, at most {policy.limits['cell_chars']}")
            )
            return
    try:
        data = _intake_data(values)
        intake = Intake.model_validate(data)
    except _CellError as exc:
        cohort.errors.append(RowError(row, exc.column, exc.reason))
        return
    except ValidationError as exc:
        cohort.errors.append(RowError(row, _column_of(exc), first_error(exc)))
        return
    applicant_id = values.get("applicant_id") or f"row-{row}"
    cohort.applicants.append(Applicant(row, applicant_id, intake))


class _CellError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _items(value: str) -> list[str]:
    parts = value.replace("\r", "\n").replace(";", "\n").split("\n")
    return [part.strip() for part in parts if part.strip()]


def _intake_data(values: dict[str, str]) -> dict[str, Any]:
    name = values.get("company_name", "")
    if not name:
        raise _CellError("company_name", "no company name")
    employees = int(_number("employees", values.get("employees", "")))
    language = (values.get("language") or "fr").lower()[:2]
    if language not in ("fr", "en"):
        raise _CellError("language", f"expected fr or en, got {values.get('language')!r}")
    company: dict[str, Any] = {"name": name, "sector": values.get("sector") or "—", "employees": employees}
    if values.get("region"):
        company["region"] = values["region"]
    data: dict[str, Any] = {
        "language": language,
        "company": company,
        "pain_points": _items(values.get("pain_points", "")),
        "existing_systems": _items(values.get("existing_systems", "")),
        "constraints": {},
    }
    if values.get("plan_adopted"):
        plan: dict[str, Any] = {"adopted": values["plan_adopted"]}
        if values.get("mission"):
            plan["mission"] = values["mission"]
        for part in LISTS[:4]:
            plan[part] = _items(values.get(part, ""))
        data["strategic_plan"] = plan
    if values.get("budget_cad"):
        data["constraints"]["budget_cad"] = _number("budget_cad", values["budget_cad"])
    if values.get("horizon_months"):
        data["constraints"]["horizon_months"] = int(_number("horizon_months", values["horizon_months"]))
    if values.get("follow_up_owner"):
        data["constraints"]["follow_up_owner"] = values["follow_up_owner"]
    maturity = {}
    for column, value in values.items():
        if column.startswith("maturity.") and value:
            if value not in ("0", "1", "2", "3", "4", "5"):
                raise _CellError(column.replace(".", "_"), f"expected a score from 0 to 5, got {value!r}")
            maturity[column.split(".", 1)[1]] = int(value)
    if maturity:
        data["maturity"] = maturity
    return data


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")  # 25,000 or 1,200.50 (English thousands)


def _number(column: str, text: str) -> float:
    """A number as people type it: 15 000 (any space), 25,000, 12,5 (French decimal comma)."""
    plain = "".join(text.split()).replace("\u202f", "").replace("\u00a0", "")
    if _THOUSANDS.match(plain):
        plain = plain.replace(",", "")
    elif plain.count(",") == 1 and "." not in plain:
        plain = plain.replace(",", ".")
    try:
        value = float(plain)
    except ValueError:
        raise _CellError(column, f"not a number: {text!r}") from None
    if not math.isfinite(value) or abs(value) > 1e12:
        raise _CellError(column, f"not a usable number: {text!r}")
    return value


_PATHS = {
    "company.name": "company_name",
    "company.sector": "sector",
    "company.employees": "employees",
    "company.region": "region",
    "strategic_plan.adopted": "plan_adopted",
    "strategic_plan.mission": "mission",
    "constraints.budget_cad": "budget_cad",
    "constraints.horizon_months": "horizon_months",
    "constraints.follow_up_owner": "follow_up_owner",
}


def _column_of(exc: ValidationError) -> str:
    location = ".".join(str(part) for part in exc.errors()[0]["loc"] if not isinstance(part, int))
    for prefix, column in _PATHS.items():
        if location.startswith(prefix):
            return column
    for column in LISTS:
        if column in location:
            return column
    return location


def _jsonl(path: Path, policy: TriagePolicy) -> Cohort:
    cohort = Cohort([], [], [])
    try:
        raw = read_limited(path, MAX_COHORT_BYTES, TriageError)
        lines = [line.rstrip("\r") for line in raw.decode("utf-8-sig").split("\n")]
    except UnicodeDecodeError as exc:
        raise TriageError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            cohort.errors.append(RowError(number, "", f"not JSON ({exc.msg})"))
            continue
        if not isinstance(data, dict):
            cohort.errors.append(RowError(number, "", "not a JSON object"))
            continue
        if len(line) > policy.limits["cell_chars"] * 20:
            cohort.errors.append(RowError(number, "", f"line of {len(line)} characters"))
            continue
        applicant_id = str(data.pop("applicant_id", "") or f"line-{number}")
        try:
            cohort.applicants.append(Applicant(number, applicant_id, Intake.model_validate(data)))
        except ValidationError as exc:
            cohort.errors.append(RowError(number, _column_of(exc), first_error(exc)))
    return cohort


def rows_of(cohort: Cohort) -> Iterator[Applicant]:
    yield from cohort.applicants
