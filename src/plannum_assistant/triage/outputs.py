"""What triage writes: triage.csv, triage.xlsx, errors.csv, summary.md and summary.html (with charts).

Byte-identical for the same input, weights and ``--today``: rows in rank order, fixed number
formats, no timestamp but the triage date. Every heading of the summary is in
``knowledge/wording.yaml`` (``triage.*``) in the cohort's main language.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..exports.sheet import append_text
from ..knowledge import Wording
from ..vocabulary import Dimension, Language, SizeBand
from . import TriageResult
from .ranking import TriageRow

COLUMNS = (
    "rank",
    "applicant_id",
    "company_name",
    "ready",
    "missing",
    "maturity_score",
    "main_functions",
    "top_initiatives",
    "budget_min",
    "budget_max",
    "follow_up_owner_named",
    "flags",
    "priority_score",
    "explanation",
)


def _values(rank: int, row: TriageRow) -> list[object]:
    maturity = "" if row.maturity_score is None else f"{row.maturity_score:.2f}"
    return [
        rank,
        row.applicant_id,
        row.company_name,
        "yes" if row.ready else "no",
        " | ".join(row.missing),
        maturity,
        "; ".join(row.main_functions),
        "; ".join(row.top_initiatives),
        f"{row.budget_min:.0f}",
        f"{row.budget_max:.0f}",
        "yes" if row.follow_up_owner_named else "no",
        "; ".join(row.flags),
        f"{row.priority_score:.1f}",
        row.explanation,
    ]


def write_all(result: TriageResult, folder: Path, wording: Wording, today: date) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        _csv(folder / "triage.csv", COLUMNS, [_values(n, r) for n, r in enumerate(result.rows, 1)]),
        _xlsx(folder / "triage.xlsx", result),
        _csv(folder / "errors.csv", ("row", "column", "reason"), [[e.row, e.column, e.reason] for e in result.errors]),
    ]
    language = _language(result)
    markdown, charts = summary(result, wording, language, today)
    (folder / "summary.md").write_text(markdown, encoding="utf-8")
    for name, png in charts.items():
        (folder / name).write_bytes(png)
    (folder / "summary.html").write_text(_html(markdown, charts, language), encoding="utf-8")
    return [*written, folder / "summary.md", folder / "summary.html", *(folder / name for name in charts)]


def _csv(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_inert(value) for value in row] for row in rows])
    return path


def _inert(value: object) -> object:
    """Applicants' text that a spreadsheet would run as a formula (=, +, -, @) starts with a quote."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _xlsx(path: Path, result: TriageResult) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "triage"
    dimensions = [d.value for d in Dimension]
    sheet.append([*COLUMNS, *(f"maturity_{d}" for d in dimensions)])
    for rank, row in enumerate(result.rows, 1):
        values = _values(rank, row)
        values[5] = row.maturity_score
        values[8], values[9], values[12] = row.budget_min, row.budget_max, row.priority_score
        append_text(sheet, [*values, *(row.maturity.get(d) for d in dimensions)])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(path)
    return path


def _language(result: TriageResult) -> Language:
    counts = Counter(row.language for row in result.rows)
    return Language.EN if counts["en"] > counts["fr"] else Language.FR


def summary(result: TriageResult, wording: Wording, language: Language, today: date) -> tuple[str, dict[str, bytes]]:
    """The cohort at a glance: counts by readiness, sector, size band and region; the most frequent
    pains and initiatives; two charts (maturity distribution, initiative frequency)."""

    def t(key: str, **params: object) -> str:
        return wording.text(f"triage.{key}", language, **params)

    rows = result.rows
    out = [f"# {t('title')}", "", t("counts", today=today.isoformat(), valid=len(rows), errors=len(result.errors)), ""]
    ready = sum(r.ready for r in rows)
    out += [
        f"## {t('readiness')}",
        "",
        f"| {t('ready')} | {t('not_ready')} |",
        "|---|---|",
        f"| {ready} | {len(rows) - ready} |",
    ]
    for key, values in (
        ("sector", [r.sector for r in rows]),
        ("size", [_band(r.employees) for r in rows]),
        ("region", [r.region or "—" for r in rows]),
        ("functions", [f for r in rows for f in r.pains]),
        ("initiatives", [i for r in rows for i in r.top_initiatives]),
    ):
        out += ["", f"## {t(key)}", "", f"| {t(key)} | n |", "|---|---|"]
        out += [f"| {_cell(name)} | {n} |" for name, n in _top(values)]
    charts = {"maturity.png": _maturity_chart(rows, t), "initiatives.png": _initiative_chart(rows, t)}
    out += ["", f"![{t('maturity_chart')}](maturity.png)", "", f"![{t('initiative_chart')}](initiatives.png)", ""]
    return "\n".join(out), charts


def _top(values: list[str], limit: int = 10) -> list[tuple[str, int]]:
    return sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _band(employees: int) -> str:
    return SizeBand.for_employees(employees).value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _maturity_chart(rows: list[TriageRow], t: Callable[..., str]) -> bytes:
    from matplotlib.figure import Figure

    from ..exports.charts import png

    scores = [r.maturity_score for r in rows if r.maturity_score is not None]
    figure = Figure(figsize=(7, 3.6))
    axes = figure.add_subplot()
    axes.hist(scores, bins=[0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5], color="#808080", edgecolor="black")
    axes.set_xlabel(t("maturity_axis"))
    axes.set_ylabel(t("applicants"))
    axes.set_title(t("maturity_chart"))
    return png(figure)


def _initiative_chart(rows: list[TriageRow], t: Callable[..., str]) -> bytes:
    from matplotlib.figure import Figure

    from ..exports.charts import png

    counts = _top([i for r in rows for i in r.top_initiatives], limit=12)
    figure = Figure(figsize=(7, 0.8 + 0.32 * max(len(counts), 1)))
    axes = figure.add_subplot()
    axes.barh([name for name, _ in counts], [n for _, n in counts], color="#808080", edgecolor="black")
    axes.invert_yaxis()
    axes.set_xlabel(t("applicants"))
    axes.set_title(t("initiative_chart"))
    return png(figure)


def _html(markdown: str, charts: dict[str, bytes], language: Language) -> str:
    """The summary as one self-contained page (charts inline)."""
    body = []
    table: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            if not line.startswith("|---"):
                cells = [html.escape(c.strip().replace("\\|", "|")) for c in line.strip("|").split(" | ")]
                tag = "th" if not table else "td"
                table.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
            continue
        if table:
            body.append("<table>" + "".join(table) + "</table>")
            table = []
        if line.startswith("!["):
            alt, name = line[2:].split("](")
            data = base64.b64encode(charts[name.rstrip(")")]).decode()
            body.append(f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>")
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #888;padding:.2em .5em}"
    )
    return (
        f"<!DOCTYPE html><html lang='{language.value}'><head><meta charset='utf-8'><title>triage</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


def template(fmt: str, language: Language, wording: Wording) -> bytes:
    """The header and one filled example row (``plannum triage template``)."""
    from .applicants import COLUMNS as INPUT

    example = [wording.text(f"triage.example.{column}", language) for column in INPUT]
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerows([list(INPUT), example])
        return stream.getvalue().encode("utf-8")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(INPUT))
    sheet.append(example)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
