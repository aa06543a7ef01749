"""``plannum``: a thin shell over :class:`~plannum_assistant.assistant.Assistant`.

Every expected problem (bad file, bad option, bad query) ends as one line on
stderr and exit code 2; output meant for programs (``--format json``) goes to
stdout alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .errors import PlannumError, QueryError
from .vocabulary import BusinessFunction, Dimension

if TYPE_CHECKING:
    from .assistant import Assistant

# Reading stdin for a query stops one byte past any sane limit, so 1 GB of input cannot exhaust memory.
_STDIN_CAP = 1_000_000


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
    try:
        return int(args.handler(args) or 0)
    except PlannumError as exc:
        sys.stderr.write(f"plannum: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("plannum: interrupted\n")
        return 130
    except BrokenPipeError:  # `plannum schema | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _build_parser() -> _Parser:
    parser = _Parser(prog="plannum", description="Build a plan numérique grounded in a curated catalogue.")
    parser.add_argument("--version", action="version", version=f"plannum {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    schema = commands.add_parser("schema", help="print a JSON Schema (the plan that 'plan --format json' prints...)")
    schema.add_argument(
        "--model",
        choices=("plan", "intake", "strategic-plan", "catalogue-entry"),
        default="plan",
        help="plan: what 'plannum plan --format json' prints; intake: the intake file",
    )
    schema.set_defaults(handler=_schema)
    validate = commands.add_parser("validate", help="check a plan JSON file against the plan contract")
    validate.add_argument("--plan", type=Path, required=True, help="a plan JSON file ('plannum plan' output)")
    validate.set_defaults(handler=_validate)

    catalogue = commands.add_parser("catalogue", help="inspect or check the initiative catalogue")
    catalogue_commands = catalogue.add_subparsers(title="catalogue commands", metavar="ACTION", required=True)
    catalogue_commands.add_parser("check", help="validate every catalogue file").set_defaults(handler=_catalogue_check)
    listing = catalogue_commands.add_parser("list", help="list the catalogue entries")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=_catalogue_list)

    index = commands.add_parser("index", help="build the retrieval index (only if the catalogue changed)")
    index.add_argument("--force", action="store_true", help="rebuild even if the index is current")
    index.set_defaults(handler=_index)

    search = commands.add_parser("search", help="rank catalogue entries for a pain statement")
    search.add_argument("text", help="the problem in your own words ('-' reads standard input)")
    search.add_argument("--top", type=_positive_int, default=5, metavar="K")
    search.add_argument("--format", choices=("text", "json"), default="text")
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    search.add_argument("--function", choices=[f.value for f in BusinessFunction])
    search.add_argument("--dimension", choices=[d.value for d in Dimension])
    search.set_defaults(handler=_search)

    plan = commands.add_parser("plan", help="draft a plan numérique and its action plan from an intake file")
    plan.add_argument("--intake", type=Path, required=True, help="intake file (YAML or JSON, see README)")
    plan.add_argument("--format", choices=("json", "md"), default="json")
    plan.add_argument("--out", type=Path, help="write to this file instead of standard output")
    plan.add_argument("--today", type=_iso_date, help="reference date YYYY-MM-DD (default: today)")
    plan.set_defaults(handler=_plan)

    chat = commands.add_parser("chat", help="the guided interview in the terminal (offline engine)")
    chat.add_argument("--session", help="resume this session (see 'plannum sessions list')")
    chat.add_argument("--lang", choices=("fr", "en"), help="interview language (asked if omitted)")
    chat.add_argument("--today", type=_iso_date, help="reference date YYYY-MM-DD (default: today)")
    chat.set_defaults(handler=_chat)

    interview = commands.add_parser("interview", help="run a scripted interview (tests, evals)")
    interview.add_argument("--script", type=Path, required=True, help="YAML: language + answers or messages")
    interview.add_argument("--out", type=Path, default=Path("interview-out"), help="output folder")
    interview.add_argument("--today", type=_iso_date, help="reference date YYYY-MM-DD (default: today)")
    interview.set_defaults(handler=_interview)

    sessions = commands.add_parser("sessions", help="list, show or export interview sessions")
    session_commands = sessions.add_subparsers(title="session commands", metavar="ACTION", required=True)
    session_commands.add_parser("list", help="all sessions, latest first").set_defaults(handler=_sessions_list)
    show = session_commands.add_parser("show", help="a session's state and transcript as JSON")
    show.add_argument("id")
    show.set_defaults(handler=_sessions_show)
    export = session_commands.add_parser("export", help="write the session's intake file")
    export.add_argument("id")
    export.add_argument("--out", type=Path, help="intake file to write (default: standard output)")
    export.set_defaults(handler=_sessions_export)

    preview = commands.add_parser("preview", help="check an intake's strategic plan and ground its pain points")
    preview.add_argument("--intake", type=Path, required=True, help="intake file (YAML or JSON, see README)")
    preview.add_argument("--today", type=_iso_date, help="reference date YYYY-MM-DD (default: today)")
    preview.set_defaults(handler=_preview)

    evaluate = commands.add_parser("eval", help="run an evaluation")
    eval_commands = evaluate.add_subparsers(title="evaluations", metavar="SUITE", required=True)
    retrieval = eval_commands.add_parser("retrieval", help="recall@k and MRR on the labelled pain statements")
    retrieval.add_argument("--set", type=Path, help="eval set (default evals/retrieval/pain_statements.yaml)")
    retrieval.add_argument("--report", type=Path, help="JSON report (default evals/reports/retrieval.json)")
    retrieval.set_defaults(handler=_eval_retrieval)
    scenarios = eval_commands.add_parser("scenarios", help="plan every company of evals/scenarios against expectations")
    scenarios.add_argument("--dir", type=Path, help="scenario folder (default evals/scenarios)")
    scenarios.add_argument("--report", type=Path, help="JSON report (default evals/reports/<folder>.json)")
    scenarios.add_argument(
        "--part",
        choices=("tuning", "frozen", "all"),
        default="frozen",
        help="labelled company sets (evals/companies): which fixed part to run (default: the frozen one)",
    )
    scenarios.set_defaults(handler=_eval_scenarios)
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"expected 1 to 100, got {number}")
    return number


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def _assistant() -> Assistant:
    # Imported here so that `plannum --help` and argument errors stay instant.
    from .assistant import Assistant
    from .settings import load_settings

    return Assistant(load_settings())


def _progress(message: str) -> None:
    sys.stderr.write(f"plannum: {message}\n")


def _schema(args: argparse.Namespace) -> int:
    from pydantic import BaseModel

    from .catalogue import CatalogueEntry
    from .intake import Intake
    from .models import StrategicPlan
    from .report import PlanReport

    # (model, mode): a plan is described as printed (computed fields included), input files as read.
    models: dict[str, tuple[type[BaseModel], str]] = {
        "plan": (PlanReport, "serialization"),
        "intake": (Intake, "validation"),
        "strategic-plan": (StrategicPlan, "serialization"),
        "catalogue-entry": (CatalogueEntry, "validation"),
    }
    model, mode = models[args.model]
    print(json.dumps(model.model_json_schema(mode=mode), indent=2, ensure_ascii=False))  # type: ignore[arg-type]
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .report import load_report

    report = load_report(args.plan, _assistant().catalogue)
    print(
        f"{args.plan}: valid plan ({len(report.initiatives)} initiatives, review {report.review.status.value}, "
        f"engine {report.engine})"
    )
    return 0


def _catalogue_check(args: argparse.Namespace) -> int:
    assistant = _assistant()
    catalogue = assistant.catalogue
    texts = sum(1 for entry in catalogue for _ in entry.documents())
    dimensions = assistant.dimensions
    context = assistant.plan_context  # loads and checks sectors.yaml, measures.yaml and planner.yaml too
    print(
        f"catalogue OK: {len(catalogue)} entries, {texts} indexed texts, "
        f"{len(dimensions.dimensions)} maturity dimensions, {len(context.sectors.terms)} sectors, "
        f"{len(context.measures.terms)} measure families, hash {catalogue.content_hash[:12]}"
    )
    return 0


def _catalogue_list(args: argparse.Namespace) -> int:
    catalogue = _assistant().catalogue
    if args.format == "json":
        rows = [{"id": e.id, "name": e.name.model_dump(), "function": e.function.value} for e in catalogue]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for entry in catalogue:
            print(f"{entry.id:<28}{entry.function.value:<24}{entry.name.en}")
    return 0


def _index(args: argparse.Namespace) -> int:
    assistant = _assistant()
    built = assistant.build_index(force=args.force, progress=_progress)
    state = "built" if built else "already current"
    print(f"index {state}: {len(assistant.catalogue)} entries at {assistant.settings.index_dir}")
    return 0


def _search(args: argparse.Namespace) -> int:
    text = _read_query(args.text)
    assistant = _assistant()
    hits = assistant.search(
        text,
        top_k=args.top,
        mode=args.mode,
        function=BusinessFunction(args.function) if args.function else None,
        dimension=Dimension(args.dimension) if args.dimension else None,
        progress=_progress,
    )
    if args.format == "json":
        print(json.dumps([hit.model_dump(mode="json") for hit in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("no matching catalogue entry")
    for rank, hit in enumerate(hits, 1):
        print(f'{rank}. {hit.id}  ({hit.score:.4f})  {hit.name}\n   matched: "{hit.matched}"')
    return 0


def _read_query(text: str) -> str:
    if text != "-":
        return text
    data = sys.stdin.buffer.read(_STDIN_CAP + 1)
    if len(data) > _STDIN_CAP:
        raise QueryError(f"query too long: more than {_STDIN_CAP:,} bytes on standard input")
    return data.decode("utf-8", "replace")


def _plan(args: argparse.Namespace) -> int:
    from .intake import load_intake
    from .report import to_markdown

    intake = load_intake(args.intake)
    assistant = _assistant()
    report = assistant.plan(intake, args.today or date.today(), progress=_progress)
    if args.format == "md":
        text = to_markdown(report, assistant.wording)
    else:
        text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    _emit(text, args.out, "plan")
    return 0


def _emit(text: str, out: Path | None, what: str) -> None:
    """To standard output, or atomically to ``out``."""
    if out is None:
        sys.stdout.write(text)
    else:
        _write_atomically(out, text)
        _progress(f"{what} written to {out}")


def _write_atomically(path: Path, text: str) -> None:
    """Never leave a half-written plan behind (or clobber a good one with a partial write)."""
    import tempfile

    from .errors import PlannumError

    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as f:
            temporary = f.name
            f.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise PlannumError(f"{path}: cannot write ({exc.strerror or exc})") from None


_QUIT = {"quit", "quitter", "exit", "sortir", ":q"}


def _chat(args: argparse.Namespace) -> int:
    from .conversation import Conversation
    from .report import to_markdown
    from .vocabulary import Language

    assistant = _assistant()
    today = args.today or date.today()
    engine = assistant.engine(today)
    language = Language(args.lang) if args.lang else None
    if args.session:
        conversation, reply = Conversation.resume(assistant.sessions, engine, args.session)
    else:
        conversation, reply = Conversation.start(assistant.sessions, engine, language)
    _progress(f"engine: {_engine_label(assistant)} — session {conversation.session_id}")
    print(reply)
    while not conversation.done:
        try:
            text = input("> ")
        except EOFError:
            break
        if text.strip().lower() in _QUIT:
            break
        print(conversation.send(text).reply)
    if conversation.done:
        from .interview import build_intake

        report = assistant.plan(build_intake(conversation.state), today, progress=_progress)
        print(to_markdown(report, assistant.wording))
    _progress(f"session saved: {conversation.session_id} (resume: plannum chat --session {conversation.session_id})")
    return 0


def _engine_label(assistant: Assistant) -> str:
    settings = assistant.settings
    if not settings.llm_configured:
        return "offline (no API key needed; set OPENAI_API_KEY or PLANNUM_LLM_BASE_URL for the LLM engine)"
    where = settings.llm_base_url or "OpenAI"
    return f"llm {settings.llm_model} at {where} ({settings.llm_method}), offline fallback"


def _interview(args: argparse.Namespace) -> int:
    from .scripted import run_script

    assistant = _assistant()
    result = run_script(assistant, args.script, args.today or date.today())
    args.out.mkdir(parents=True, exist_ok=True)
    _write_atomically(args.out / "transcript.json", result.transcript_json())
    _write_atomically(args.out / "intake.yaml", result.intake_yaml)
    _write_atomically(args.out / "plan.json", result.plan_json())
    print(
        f"interview {result.session_id}: {result.turns} turns, gate ready: {result.report.gate.ready}, "
        f"{len(result.report.initiatives)} initiatives -> {args.out}"
    )
    return 0


def _sessions_list(args: argparse.Namespace) -> int:
    rows = _assistant().sessions.list()
    if not rows:
        print("no session yet (start one with 'plannum chat')")
    for row in rows:
        print(f"{row.id}  {row.updated}  {row.language}  {row.engine:<8} {row.stage:<16} {row.turns} turns")
    return 0


def _sessions_show(args: argparse.Namespace) -> int:
    print(_assistant().sessions.dump(args.id))
    return 0


def _sessions_export(args: argparse.Namespace) -> int:
    from .conversation import intake_yaml

    _emit(intake_yaml(_assistant().sessions.load(args.id)), args.out, "intake")
    return 0


def _preview(args: argparse.Namespace) -> int:
    from .intake import load_intake

    intake = load_intake(args.intake)
    language = intake.language
    assistant = _assistant()

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
            print(f"  {hit.id:<26} {hit.name}\n  {'':<26} « {hit.matched} »")
    return 0


def _eval_retrieval(args: argparse.Namespace) -> int:
    from .evals import evaluate_retrieval, format_report, load_eval_set
    from .settings import repository_path

    assistant = _assistant()
    source = args.set or repository_path("evals") / "retrieval" / "pain_statements.yaml"
    destination = args.report or repository_path("evals") / "reports" / "retrieval.json"
    eval_set = load_eval_set(source, assistant.catalogue)
    assistant.dense_index.collection(_progress)
    _progress(f"evaluating {len(eval_set.items)} statements in 3 modes…")
    report = evaluate_retrieval(
        eval_set,
        lambda text, mode: assistant.retriever.search(text, top_k=50, mode=mode),
        source=source,
        catalogue_hash=assistant.catalogue.content_hash,
    )
    print(format_report(report))
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"report written to {destination}")
    return 0


def _eval_scenarios(args: argparse.Namespace) -> int:
    from .company_evals import evaluate_companies, format_companies, load_companies
    from .evals import evaluate_scenarios, format_scenarios, load_scenarios
    from .settings import repository_path

    assistant = _assistant()
    folder = args.dir or repository_path("evals") / "scenarios"
    labelled = any(folder.glob("b*.yaml"))  # the labelled company format (evals/companies)
    name = f"{folder.name}-{args.part}" if labelled else folder.name
    destination = args.report or repository_path("evals") / "reports" / f"{name}.json"
    catalogue_hash = assistant.catalogue.content_hash
    if labelled:
        companies = load_companies(folder, assistant.catalogue, args.part)
        assistant.dense_index.collection(_progress)
        _progress(f"planning {len(companies)} labelled companies ({args.part} part)…")
        report = evaluate_companies(
            companies,
            assistant.plan,
            lambda text: assistant.retriever.search(text, top_k=5),
            catalogue_hash=catalogue_hash,
            source=folder,
        )
        print(format_companies(report))
    else:
        scenarios = load_scenarios(folder, assistant.catalogue)
        assistant.dense_index.collection(_progress)
        _progress(f"planning {len(scenarios)} scenario companies…")
        report = evaluate_scenarios(
            scenarios, assistant.plan, catalogue_hash=catalogue_hash, catalogue=assistant.catalogue
        )
        print(format_scenarios(report))
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"report written to {destination}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
