"""The two charts of the documents (issue 11): the maturity radar and the roadmap Gantt.

matplotlib's object API with the Agg canvas (no pyplot: no global figure state, safe when several
people export at once). Both read in black-and-white print: the radar is a black line over a grey
hatched area; the Gantt draws initiatives as dark bars, activities as white bars with a black edge,
quick wins hatched, prerequisites as arrows and objective deadlines as open diamonds. Every label
comes from ``knowledge/wording.yaml`` in the plan's language.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..report import MaturityProfile, PlanReport

Text = Callable[..., str]  # key, **params -> text in the plan's language

DPI = 150
_DARK = "#404040"
_LIGHT = "#d9d9d9"


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def radar_figure(profile: MaturityProfile, t: Text) -> Figure:
    """The ten dimensions on 0–5 axes; an unrated dimension sits at 0 with a hollow marker and says so.
    Each axis names the EU DMAT dimension it maps to; the caption gives the DMAT percentages."""
    dimensions = profile.dimensions
    count = len(dimensions)
    angles = [2 * math.pi * k / count for k in range(count)]
    scores = [d.score or 0 for d in dimensions]
    figure = Figure(figsize=(8, 7.6))
    axes: Any = figure.add_subplot(projection="polar")  # PolarAxes
    axes.set_theta_offset(math.pi / 2)  # the first dimension on top, then clockwise
    axes.set_theta_direction(-1)
    closed_angles = [*angles, angles[0]]
    closed_scores = [*scores, scores[0]]
    axes.fill(closed_angles, closed_scores, facecolor=_LIGHT, edgecolor="none", hatch="..")
    axes.plot(closed_angles, closed_scores, color="black", linewidth=2)
    for angle, dimension in zip(angles, dimensions, strict=True):
        rated = dimension.score is not None
        axes.plot(
            [angle],
            [dimension.score or 0],
            marker="o",
            markersize=7,
            color="black",
            markerfacecolor="black" if rated else "white",
        )
    axes.set_ylim(0, 5)
    axes.set_yticks(range(6))
    axes.set_yticklabels([str(level) for level in range(6)], fontsize=8, color="#555555")
    axes.set_rlabel_position(180 / count)  # the scale between the first two axes, clear of their labels
    axes.set_xticks(angles)
    labels = []
    for dimension in dimensions:
        score = t("chart.unrated") if dimension.score is None else str(dimension.score)
        labels.append(f"{_wrap(dimension.label, 24)}\n[{t(f'dmat.{dimension.dmat}')}] · {score}")
    axes.set_xticklabels(labels, fontsize=7.5)
    axes.tick_params(axis="x", pad=18)
    axes.grid(color="#999999", linestyle=":", linewidth=0.8)
    figure.suptitle(t("chart.radar.title"), fontsize=13, fontweight="bold", y=0.99)
    caption = t("chart.radar.caption")
    if profile.dmat:
        values = ", ".join(f"{t(f'dmat.{name}')} {value:g} %" for name, value in profile.dmat.items())
        caption += "\n" + t("chart.radar.dmat", values=values)
    figure.text(0.5, 0.005, _wrap(caption, 120), ha="center", va="bottom", fontsize=8)
    figure.subplots_adjust(top=0.80, bottom=0.18)
    return figure


def gantt_figure(report: PlanReport, prerequisites: Mapping[str, Sequence[str]], t: Text) -> Figure:
    """One dark bar per initiative (first activity's start to last activity's target), then one white
    bar per activity under it; quick wins hatched; an arrow from each prerequisite in the plan to the
    initiative that waits for it; an open diamond at an objective's deadline."""
    titles = {i.catalogue_id: i for i in report.initiatives}
    rows: list[tuple[str, date, date, str, str]] = []  # label, start, end, kind, catalogue id
    for actions in sorted(report.action_plan, key=lambda a: titles[a.initiative].priority):
        initiative = titles[actions.initiative]
        start = min(a.start for a in actions.activities)
        end = max(a.target_date for a in actions.activities)
        rows.append(
            (f"{initiative.priority}. {_clip(initiative.title, 46)}", start, end, "initiative", initiative.catalogue_id)
        )
        rows += [
            (f"    {_clip(a.name, 48)}", a.start, a.target_date, "activity", actions.initiative)
            for a in actions.activities
        ]
    figure = Figure(figsize=(11, 1.4 + 0.3 * max(len(rows), 1)))
    axes = figure.add_subplot()
    where: dict[str, tuple[int, date, date]] = {}
    for y, (_, start, end, kind, entry_id) in enumerate(rows):
        left, width = _x(start), max(_x(end) - _x(start), 1)
        if kind == "initiative":
            quick = titles[entry_id].quick_win
            axes.barh(y, width, left=left, height=0.7, color=_DARK, edgecolor="black", hatch="//" if quick else None)
            where[entry_id] = (y, start, end)
            due = titles[entry_id].due
            if due is not None:
                axes.plot([_x(due)], [y], marker="D", markersize=7, color="black", markerfacecolor="white")
        else:
            axes.barh(y, width, left=left, height=0.45, color="white", edgecolor="black", linewidth=0.8)
    for entry_id, (y, start, _) in where.items():
        for required in prerequisites.get(entry_id, ()):
            if required in where:
                before_y, _, before_end = where[required]
                axes.annotate(
                    "",
                    xy=(_x(start), y),
                    xytext=(_x(before_end), before_y),
                    arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 1.2, "connectionstyle": "angle3"},
                )
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([row[0] for row in rows], fontsize=8)
    for tick, row in zip(axes.get_yticklabels(), rows, strict=True):
        if row[3] == "initiative":
            tick.set_fontweight("bold")
    axes.invert_yaxis()
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#bbbbbb", linestyle=":")
    axes.axvline(_x(report.today), color="black", linestyle="--", linewidth=0.8)
    legend = [
        Patch(facecolor=_DARK, edgecolor="black", label=t("chart.gantt.initiative")),
        Patch(facecolor=_DARK, edgecolor="black", hatch="//", label=t("chart.gantt.quick_win")),
        Patch(facecolor="white", edgecolor="black", label=t("chart.gantt.activity")),
        Line2D(
            [],
            [],
            color="black",
            marker=r"$\rightarrow$",
            markersize=12,
            linestyle="",
            label=t("chart.gantt.prerequisite"),
        ),
        Line2D([], [], color="black", marker="D", markerfacecolor="white", linestyle="", label=t("chart.gantt.due")),
        Line2D([], [], color="black", linestyle="--", label=t("chart.gantt.today", today=report.today.isoformat())),
    ]
    axes.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.06 - 1.2 / figure.get_figheight() / 4),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    axes.set_title(t("chart.gantt.title"), fontsize=13, fontweight="bold")
    return figure


def bars(figure: Figure) -> int:
    """How many bars a Gantt figure draws (legend swatches excluded): for tests and checks."""
    return sum(len(container) for axes in figure.axes for container in axes.containers)


def _x(day: date) -> float:
    """A date on matplotlib's date axis."""
    return float(date2num(day))  # type: ignore[no-untyped-call]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
