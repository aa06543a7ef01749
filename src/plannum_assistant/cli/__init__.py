"""``plannum``: a thin shell over :class:`~plannum_assistant.assistant.Assistant`.

The parser is here; the handlers live beside it by subject (``plans``, ``interviews``,
``catalogue``), with what they share in ``common`` and ``output``. Every expected problem
(bad file, bad option, bad query) ends as one line on stderr and exit code 2; output meant for
programs (``--format json``) goes to stdout alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .. import __version__
from ..errors import PlannumError, StdoutError, one_line
from ..vocabulary import BusinessFunction, Dimension
from . import catalogue as _catalogue
from . import interviews as _interviews
from . import plans as _plans
from . import review as _review
from . import triage as _triage
from .common import GuardedStdout, discard_stdout, iso_date, port, positive_int


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"plannum: error: {message} (see 'plannum --help')\n")
        raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if not hasattr(args, "handler"):
        _build_parser().print_help()
        return 0
    real_stdout, sys.stdout = sys.stdout, GuardedStdout(sys.stdout)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # output still buffered fails here, not as a traceback at exit
        return code
    except PlannumError as exc:
        if isinstance(exc, StdoutError):
            discard_stdout(real_stdout)
        sys.stderr.write(f"plannum: error: {one_line(str(exc))}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("plannum: interrupted\n")
        return 130
    except BrokenPipeError:  # `plannum schema | head`: the reader left, which is not an error
        discard_stdout(real_stdout)
        return 0
    except OSError as exc:  # a full or failing disk met where no command expected it: one line
        from ..storage import reason

        where = f"{exc.filename}: " if exc.filename is not None else ""
        sys.stderr.write(f"plannum: error: {where}{reason(exc)}; check the path, its permissions and free disk space\n")
        return 2
    finally:
        sys.stdout = real_stdout


def _build_parser() -> _Parser:
    parser = _Parser(prog="plannum", description="Build a plan numérique grounded in a curated catalogue.")
    parser.add_argument("--version", action="version", version=f"plannum {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    schema = commands.add_parser("schema", help="print a JSON Schema (the plan that 'plan --format json' prints...)")
    schema.add_argument(
        "--model",
        choices=("plan", "intake", "strategic-plan", "catalogue-entry", "stored-plan"),
        default="plan",
        help="plan: what 'plannum plan --format json' prints; intake: the intake file",
    )
    schema.set_defaults(handler=_plans.schema)
    validate = commands.add_parser("validate", help="check a plan JSON file against the plan contract")
    validate.add_argument("--plan", type=Path, required=True, help="a plan JSON file ('plannum plan' output)")
    validate.set_defaults(handler=_plans.validate)

    catalogue = commands.add_parser("catalogue", help="inspect or check the initiative catalogue")
    catalogue_commands = catalogue.add_subparsers(title="catalogue commands", metavar="ACTION", required=True)
    catalogue_commands.add_parser("check", help="validate every catalogue file").set_defaults(
        handler=_catalogue.catalogue_check
    )
    listing = catalogue_commands.add_parser("list", help="list the catalogue entries")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=_catalogue.catalogue_list)

    index = commands.add_parser("index", help="build the retrieval index (only if the catalogue changed)")
    index.add_argument("--force", action="store_true", help="rebuild even if the index is current")
    index.set_defaults(handler=_catalogue.index)

    search = commands.add_parser("search", help="rank catalogue entries for a pain statement")
    search.add_argument("text", help="the problem in your own words ('-' reads standard input)")
    search.add_argument("--top", type=positive_int, default=5, metavar="K")
    search.add_argument("--format", choices=("text", "json"), default="text")
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25", "classifier"), default="hybrid")
    search.add_argument("--function", choices=[f.value for f in BusinessFunction])
    search.add_argument("--dimension", choices=[d.value for d in Dimension])
    search.set_defaults(handler=_catalogue.search)

    plan = commands.add_parser("plan", help="draft a plan numérique and its action plan from an intake file")
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("--intake", type=Path, help="intake file (YAML or JSON, see README)")
    source.add_argument("--session", help="a finished interview session (see 'plannum sessions list')")
    plan.add_argument("--format", choices=("json", "md"), default="json")
    plan.add_argument("--out", type=Path, help="write to this file instead of standard output")
    plan.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    plan.add_argument("--save", action="store_true", help="store the plan for review; its id is the last line printed")
    plan.add_argument(
        "--engine",
        choices=("auto", "offline", "llm"),
        default="auto",
        help="auto (default): the LLM when a provider is configured, else offline",
    )
    plan.set_defaults(handler=_plans.plan)

    plans = commands.add_parser("plans", help="stored plans (for review and approval)")
    plan_commands = plans.add_subparsers(title="plan commands", metavar="ACTION", required=True)
    plan_commands.add_parser("list", help="all stored plans, latest first").set_defaults(handler=_review.plans_list)
    shown = plan_commands.add_parser("show", help="a stored plan with its decisions, as JSON")
    shown.add_argument("id")
    shown.set_defaults(handler=_review.plans_show)
    imported = plan_commands.add_parser("import", help="store a plan JSON file for review (prints its id)")
    imported.add_argument("file", type=Path, help="a plan JSON file ('plannum plan' or a finished chat)")
    imported.set_defaults(handler=_review.plans_import)

    review = commands.add_parser("review", help="review a stored plan: decide each item, edit, approve")
    review.add_argument("id", help="stored plan id (see 'plannum plans list')")
    review.add_argument("action", choices=("show", "accept", "reject", "edit", "approve", "request-changes", "log"))
    review.add_argument("args", nargs="*", help="ITEM for accept/reject; ITEM FIELD=VALUE for edit")
    review.add_argument("--reviewer", help="who decides (required for every decision)")
    review.add_argument("--comment", help="why")
    review.set_defaults(handler=_review.review)

    export = commands.add_parser("export", help="a stored plan as a document (watermarked until approved)")
    export.add_argument("id", help="stored plan id (see 'plannum plans list')")
    export.add_argument("--format", choices=("docx", "xlsx", "md", "json", "html"), default="docx")
    export.add_argument("--out", type=Path, help="file to write (required for docx and xlsx)")
    export.set_defaults(handler=_review.export)

    note = commands.add_parser("note", help="a consultant's pre-engagement note (one or two pages)")
    origin = note.add_mutually_exclusive_group(required=True)
    origin.add_argument("--intake", type=Path, help="intake file (YAML or JSON)")
    origin.add_argument("--session", help="an interview session, finished or not (see 'plannum sessions list')")
    origin.add_argument("--plan", help="a stored plan id (see 'plannum plans list')")
    note.add_argument("--format", choices=("md", "docx"), default="md")
    note.add_argument("--out", type=Path, help="file to write (required for docx)")
    note.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    note.set_defaults(handler=_review.note)

    ui = commands.add_parser("ui", help="the web app (chat, plan, review, documents) at http://127.0.0.1:7860")
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    ui.add_argument("--port", type=port, default=7860)
    ui.add_argument("--auth", help="USER:PASS required to open the page (or PLANNUM_UI_AUTH); needed off loopback")
    ui.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    ui.set_defaults(handler=_interviews.ui)

    triage = commands.add_parser(
        "triage", help="rank a cohort of applicants (CSV, XLSX or JSONL); 'triage template' writes a blank file"
    )
    triage.add_argument("file", help="the applicants file, or 'template'")
    triage.add_argument("--out", type=Path, help="output folder (default triage-out/); for template, the file")
    triage.add_argument("--weights", type=Path, help="YAML overriding the priority weights of knowledge/triage.yaml")
    triage.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    triage.add_argument("--quiet", action="store_true", help="no progress bar")
    triage.add_argument(
        "--workers", type=positive_int, default=1, help="planning processes (default 1: measured faster, see README)"
    )
    triage.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="template only")
    triage.add_argument("--lang", choices=("fr", "en"), default="fr", help="template only: the example row's language")
    triage.set_defaults(handler=_triage.triage)

    chat = commands.add_parser("chat", help="the guided interview in the terminal (offline engine)")
    chat.add_argument("--session", help="resume this session (see 'plannum sessions list')")
    chat.add_argument("--lang", choices=("fr", "en"), help="interview language (asked if omitted)")
    chat.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    chat.add_argument(
        "--out", type=Path, help="where to save the finished plan (default: <data dir>/plans/<session>.json)"
    )
    chat.set_defaults(handler=_interviews.chat)

    interview = commands.add_parser("interview", help="run a scripted interview (tests, evals)")
    interview.add_argument("--script", type=Path, required=True, help="YAML: language + answers or messages")
    interview.add_argument("--out", type=Path, default=Path("interview-out"), help="output folder")
    interview.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    interview.set_defaults(handler=_interviews.interview)

    sessions = commands.add_parser("sessions", help="list, show or export interview sessions")
    session_commands = sessions.add_subparsers(title="session commands", metavar="ACTION", required=True)
    session_commands.add_parser("list", help="all sessions, latest first").set_defaults(
        handler=_interviews.sessions_list
    )
    show = session_commands.add_parser("show", help="a session's state and transcript as JSON")
    show.add_argument("id")
    show.set_defaults(handler=_interviews.sessions_show)
    export = session_commands.add_parser("export", help="write the session's intake file")
    export.add_argument("id")
    export.add_argument("--out", type=Path, help="intake file to write (default: standard output)")
    export.set_defaults(handler=_interviews.sessions_export)

    preview = commands.add_parser("preview", help="check an intake's strategic plan and ground its pain points")
    preview.add_argument("--intake", type=Path, required=True, help="intake file (YAML or JSON, see README)")
    preview.add_argument("--today", type=iso_date, help="reference date YYYY-MM-DD (default: today)")
    preview.set_defaults(handler=_plans.preview)

    evaluate = commands.add_parser("eval", help="run an evaluation")
    eval_commands = evaluate.add_subparsers(title="evaluations", metavar="SUITE", required=True)
    retrieval = eval_commands.add_parser("retrieval", help="recall@k and MRR on the labelled pain statements")
    retrieval.add_argument("--set", type=Path, help="eval set (default evals/retrieval/pain_statements.yaml)")
    retrieval.add_argument("--report", type=Path, help="JSON report (default evals/reports/retrieval.json)")
    retrieval.set_defaults(handler=_catalogue.eval_retrieval)
    scenarios = eval_commands.add_parser("scenarios", help="plan every company of evals/scenarios against expectations")
    scenarios.add_argument("--dir", type=Path, help="scenario folder (default evals/scenarios)")
    scenarios.add_argument("--report", type=Path, help="JSON report (default evals/reports/<folder>.json)")
    scenarios.add_argument(
        "--part",
        choices=("tuning", "frozen", "all"),
        default="frozen",
        help="labelled company sets (evals/companies): which fixed part to run (default: the frozen one)",
    )
    scenarios.add_argument(
        "--engine",
        choices=("offline", "llm", "auto"),
        default="offline",
        help="offline (default, reproducible); llm: the configured provider drafts every plan (compare engines)",
    )
    scenarios.add_argument("--limit", type=positive_int, help="the first N companies only (a quick run)")
    scenarios.set_defaults(handler=_catalogue.eval_scenarios)
    return parser
