"""Commands about plans: plan, validate, schema, preview."""

from __future__ import annotations

import argparse
import json
from datetime import date

from ..text import quote
from .common import build_assistant, progress
from .output import emit


def schema(args: argparse.Namespace) -> int:
    from pydantic import BaseModel

    from ..catalogue import CatalogueEntry
    from ..intake import Intake
    from ..models import StrategicPlan
    from ..report import PlanReport
    from ..review import StoredPlan

    # (model, mode): a plan is described as printed (computed fields included), input files as read.
    models: dict[str, tuple[type[BaseModel], str]] = {
        "plan": (PlanReport, "serialization"),
        "intake": (Intake, "validation"),
        "strategic-plan": (StrategicPlan, "serialization"),
        "catalogue-entry": (CatalogueEntry, "validation"),
        "stored-plan": (StoredPlan, "serialization"),
    }
    model, mode = models[args.model]
    print(json.dumps(model.model_json_schema(mode=mode), indent=2, ensure_ascii=False))  # type: ignore[arg-type]
    return 0


def validate(args: argparse.Namespace) -> int:
    from ..report import load_report

    report = load_report(args.plan, build_assistant().catalogue)
    print(
        f"{args.plan}: valid plan ({len(report.initiatives)} initiatives, review {report.review.status.value}, "
        f"engine {report.engine})"
    )
    return 0


def plan(args: argparse.Namespace) -> int:
    from ..intake import load_intake
    from ..markdown import to_markdown

    assistant = build_assistant()
    if args.session:
        intake, origin = assistant.intake_from_session(args.session), f"session {args.session}"
    else:
        intake, origin = load_intake(args.intake), f"intake {args.intake}"
    report = assistant.plan(intake, args.today or date.today(), progress=progress, engine=args.engine)
    if args.format == "md":
        text = to_markdown(report, assistant.wording)
    else:
        text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    emit(text, args.out, "plan")
    if args.save:
        stored = assistant.save_plan(report, source=origin)
        print(stored.id)  # alone on the last line, for scripts
    return 0


def preview(args: argparse.Namespace) -> int:
    from ..intake import load_intake

    intake = load_intake(args.intake)
    language = intake.language
    assistant = build_assistant()

    def text(key: str) -> str:
        return assistant.wording.text(f"preview.{key}", language)

    gate, candidates = assistant.preview(intake, args.today or date.today())
    print(f"{intake.company.name}: {text('ready') if gate.ready else text('blocked')}")
    for line in gate.missing_messages(language, assistant.wording):
        print(f"  - {line}")
    if gate.smart:
        print(text("smart"))
        for line in gate.warning_messages(language, assistant.wording):
            print(f"  - {line}")
    print(f"\n{text('note')}")
    for number, (pain, hits) in enumerate(zip(intake.pain_points, candidates, strict=True), 1):
        print(f"\n{text('pain')} P{number}: {pain}")
        for hit in hits:
            print(f"  {hit.id:<26} {hit.name}\n  {'':<26} {quote(hit.matched, language)}")
    return 0
