"""Commands about stored plans and their review: plans list|show, review ID ACTION, and plan --save."""

from __future__ import annotations

import argparse
import json

from .common import build_assistant


def plans_list(args: argparse.Namespace) -> int:
    rows = build_assistant().plans.listing()
    if not rows:
        print("no stored plan yet (save one with 'plannum plan --intake FILE --save')")
    for row in rows:
        print(f"{row.id}  {row.updated}  {row.status:<17} {row.company}")
    return 0


def plans_show(args: argparse.Namespace) -> int:
    plan = build_assistant().plans.load(args.id)
    data = plan.model_dump(mode="json") | {"tampered": plan.tampered()}
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def review(args: argparse.Namespace) -> int:
    """One review action on a stored plan, signed by --reviewer; the change and its audit line are stored together."""
    assistant = build_assistant()
    store = assistant.plans
    plan = store.load(args.id)
    if args.action == "show":
        print(f"plan {plan.id}: {plan.status.value}" + (" — TAMPERED: not approved" if plan.tampered() else ""))
        for key, decision in plan.decisions.items():
            signed = f" ({decision.reviewer}, {decision.at})" if decision.reviewer else ""
            print(f"  {key:<40} {decision.state.value}{signed}")
        return 0
    if args.action == "log":
        for change in store.log(plan.id):
            what = f" {change.item}" if change.item else ""
            changed = change.before is not None or change.after is not None
            values = f": {change.before!r} -> {change.after!r}" if changed else ""
            note = f" — {change.comment}" if change.comment else ""
            print(f"{change.at}  {change.reviewer}  {change.action}{what}{values}{note}")
        return 0
    reviewer = assistant.reviewer()
    name, comment = args.reviewer or "", args.comment
    if args.action == "accept":
        new, change = reviewer.accept(plan, _one(args, "ITEM"), name, comment)
    elif args.action == "reject":
        new, change = reviewer.reject(plan, _one(args, "ITEM"), name, comment)
    elif args.action == "edit":
        if len(args.args) != 2 or "=" not in args.args[1]:
            raise SystemExit("plannum: review ID edit ITEM FIELD=VALUE (e.g. edit follow_up owner='Luc Gagnon')")
        field, value = args.args[1].split("=", 1)
        new, change = reviewer.edit(plan, args.args[0], field, value, name, comment)
    elif args.action == "add":
        entry_id = _one(args, "CATALOGUE_ID")
        addresses = [p.strip() for p in (args.addresses or "").split(",") if p.strip()]
        supports = [o.strip() for o in (args.supports or "").split(",") if o.strip()]
        initiative, actions = assistant.initiative_for_review(plan, entry_id, addresses, supports)
        new, change = reviewer.add(plan, initiative, actions, name, comment)
    elif args.action == "approve":
        new, change = reviewer.approve(plan, name, comment)
    else:
        new, change = reviewer.request_changes(plan, name, comment)
    store.update(new, change)
    print(f"plan {new.id}: {new.status.value} ({change.action}{' ' + change.item if change.item else ''})")
    return 0


def plans_import(args: argparse.Namespace) -> int:
    """Store a plan JSON file (what 'plannum plan --format json' or a finished chat wrote) for review."""
    from ..report import load_report

    assistant = build_assistant()
    report = load_report(args.file, assistant.catalogue)
    stored = assistant.save_plan(report, source=f"import {args.file}")
    print(stored.id)
    return 0


def _one(args: argparse.Namespace, what: str) -> str:
    if len(args.args) != 1:
        raise SystemExit(f"plannum: review ID {args.action} {what}")
    return str(args.args[0])


def export(args: argparse.Namespace) -> int:
    """A stored plan as a document: DOCX, XLSX, Markdown or JSON (watermarked unless approved)."""
    import sys

    from ..exports import export as render
    from ..report import validate_report
    from .output import write_atomically_bytes

    assistant = build_assistant()
    plan = assistant.plans.load(args.id)
    report = validate_report(plan.report, assistant.catalogue)
    data = render(plan, report, assistant.wording, args.format, assistant.catalogue)
    if args.out is None:
        if args.format in ("docx", "xlsx"):
            raise SystemExit(f"plannum: --out FILE is needed for {args.format}")
        sys.stdout.write(data.decode())
        return 0
    write_atomically_bytes(args.out, data)
    print(f"{args.format} written: {args.out}")
    return 0


def note(args: argparse.Namespace) -> int:
    """The consultant's pre-engagement note for an intake, an interview session or a stored plan."""
    import sys
    from datetime import date

    from ..consultant_note import note_markdown
    from ..intake import load_intake
    from ..report import validate_report
    from .common import progress
    from .output import write_atomically_bytes

    assistant = build_assistant()
    today = args.today or date.today()
    header = None
    if args.plan:
        from ..exports import stamp

        stored = assistant.plans.load(args.plan)
        report = validate_report(stored.report, assistant.catalogue)
        drafted = assistant.consultant_note(today, report=report)
        header = stamp(stored, assistant.wording, report)  # watermarked while not approved
    else:
        if args.session:
            intake = assistant.intake_from_session(args.session, finished=False)
        else:
            intake = load_intake(args.intake)
        assistant.dense_index.vectors(progress)
        drafted = assistant.consultant_note(today, intake=intake)
    if args.format == "docx":
        from ..exports.document import note_docx

        if args.out is None:
            raise SystemExit("plannum: --out FILE is needed for docx")
        write_atomically_bytes(args.out, note_docx(drafted, header))
        print(f"note written: {args.out}")
        return 0
    text = note_markdown(drafted)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_atomically_bytes(args.out, text.encode())
        print(f"note written: {args.out}")
    return 0
