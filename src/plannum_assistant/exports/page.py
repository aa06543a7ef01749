"""One self-contained, printable HTML page: the Markdown's content as HTML, the stamp on top and on
every printed page (a fixed header), the two charts inline as PNG data."""

from __future__ import annotations

import base64
import html
import re

from ..catalogue import Catalogue
from ..knowledge import Wording
from ..markdown import to_markdown
from ..report import PlanReport
from . import charts


def report_html(report: PlanReport, wording: Wording, banner: str, catalogue: Catalogue) -> bytes:
    language = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, language, **params)

    body: list[str] = []
    table: list[list[str]] = []
    # Each chart closes the section it illustrates (placed before the next second-level heading).
    figures: dict[str, tuple[str, str]] = {}
    if report.maturity and any(d.score is not None for d in report.maturity.dimensions):
        figures[t("md.maturity")] = (_png(charts.png(charts.radar_figure(report.maturity, t))), t("doc.radar_caption"))
    if report.action_plan:
        prerequisites = {e.id: e.prerequisites for e in catalogue}
        gantt = charts.png(charts.gantt_figure(report, prerequisites, t))
        figures[t("md.action_plan")] = (_png(gantt), t("doc.gantt_caption"))
    section = ""

    def close_section() -> None:
        if section in figures:
            source, caption = figures.pop(section)
            body.append(f"<figure><img src='{source}' alt='{html.escape(caption)}'>")
            body.append(f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def flush() -> None:
        if table:
            head, *rows = [r for r in table if not re.fullmatch(r"\|[-|\s]+\|", "|" + "|".join(r) + "|")]
            body.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>")
            body.extend("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows)
            body.append("</tbody></table>")
            table.clear()

    for line in to_markdown(report, wording).splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
            continue
        flush()
        if match := re.match(r"(#{1,3}) (.*)", line):
            level = len(match[1])
            if level <= 2:
                close_section()
                section = match[2]
            body.append(f"<h{level}>{_inline(match[2])}</h{level}>")
        elif line.startswith(("- ", "  - ")):
            body.append(f"<li>{_inline(line.lstrip(' -'))}</li>")
        elif line.startswith("> "):
            body.append(f"<p class='banner'>{_inline(line[2:])}</p>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush()
    close_section()
    title = html.escape(wording.text("md.title", language, company=report.company.name))
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding-top:2.5em}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;padding:.3em;vertical-align:top}"
        ".stamp{position:fixed;top:0;left:0;right:0;background:#fff;border-bottom:2px solid #000;"
        "text-align:center;font-weight:bold;padding:.4em}"
        "figure{margin:1em 0}figure img{max-width:100%}figcaption{font-size:.9em;font-style:italic}"
    )
    page = (
        f"<!DOCTYPE html><html lang='{language.value}'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body><div class='stamp'>{html.escape(banner)}</div>"
        f"{''.join(body)}</body></html>\n"
    )
    return page.encode()


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown's backslash before ASCII punctuation: that character


def _inline(text: str) -> str:
    """Markdown's **bold** and `code` in a line, the rest escaped (a backslash-escaped character is
    only ever text: the plan's own words never become markup)."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match[1])
        return f"\x00{len(held) - 1}\x00"

    escaped = html.escape(_ESCAPED.sub(hold, text))
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    escaped = re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)
    return re.sub("\x00(\\d+)\x00", lambda match: html.escape(held[int(match[1])]), escaped)


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
