"""Commands about interviews: chat (the terminal interview), interview (scripted), sessions."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import select
import sys
from datetime import date
from typing import TYPE_CHECKING

from ..smart import fold
from .common import build_assistant, progress
from .output import emit, output_folder, write_atomically

if TYPE_CHECKING:
    from ..assistant import Assistant


def chat(args: argparse.Namespace) -> int:
    from ..conversation import Conversation
    from ..markdown import to_markdown
    from ..vocabulary import Language

    assistant = build_assistant()
    today = args.today or date.today()
    # The first run builds the catalogue index (about 15 s): now, with progress shown, rather than
    # as a silent pause at the first vague answer.
    assistant.dense_index.vectors(progress)
    engine = assistant.engine(today)
    language = Language(args.lang) if args.lang else None
    if args.session:
        conversation, reply = Conversation.resume(assistant.sessions, engine, args.session)
    else:
        conversation, reply = Conversation.start(assistant.sessions, engine, language)
    progress(f"engine: {engine_label(assistant)} — session {conversation.session_id}")
    print(reply)
    terminal = sys.stdin.isatty() and os.name == "posix"
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")  # undecodable bytes typed or piped in: U+FFFD, never a crash
    while not conversation.done:
        if terminal:
            print("> ", end="", flush=True)
            message = read_message(sys.stdin.fileno(), PASTE_PAUSE_S)
        else:
            message = _read_line()
        if message is None:
            break
        text = message
        if fold(text).strip() in assistant.interview_script.commands.quit:
            break
        print(conversation.send(text).reply)
    if conversation.done:
        from ..interview import build_intake

        report = assistant.plan(build_intake(conversation.state), today, progress=progress, engine="auto")
        print(to_markdown(report, assistant.wording))
        out = args.out or assistant.settings.data_dir / "plans" / f"{conversation.session_id}.json"
        write_atomically(out, json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        progress(f"plan saved: {out}")
        stored = assistant.save_plan(report, source=f"session {conversation.session_id}")
        progress(f"plan stored for review: {stored.id} (next: plannum review {stored.id} show)")
    command = resume_command()
    progress(f"session saved: {conversation.session_id} (resume: {command} chat --session {conversation.session_id})")
    return 0


PASTE_PAUSE_S = 0.05  # lines arriving closer together than this are one paste, hence one message


def _read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def read_message(fd: int, pause: float) -> str | None:
    """One message typed in a terminal. A paste of several lines reaches the terminal at once: every
    line that arrives within ``pause`` of the previous one belongs to the same message (the question
    says « une par ligne », and the lines are one answer, never answers to the next questions).
    None at end of input."""
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([fd], [], [], pause if chunks else None)
        if not ready:
            break
        data = os.read(fd, 65536)
        if not data:
            if not chunks:
                return None
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace").rstrip("\r\n")


def resume_command() -> str:
    """How to run plannum again, as it was started: "plannum" on PATH, ".venv/bin/plannum" after the
    README's install, "python -m plannum_assistant" from a checkout."""
    import shutil

    started = sys.argv[0] if sys.argv and sys.argv[0] else "plannum"
    if started.endswith("__main__.py"):
        return f"{os.path.relpath(sys.executable)} -m plannum_assistant"
    on_path = shutil.which("plannum")
    if on_path and os.path.realpath(on_path) == os.path.realpath(started):
        return "plannum"
    return os.path.relpath(started) if os.path.exists(started) else "plannum"


def engine_label(assistant: Assistant) -> str:
    settings = assistant.settings
    if not settings.llm_configured:
        return "offline (no API key needed; set OPENAI_API_KEY or PLANNUM_LLM_BASE_URL for the LLM engine)"
    where = redacted(settings.llm_base_url) if settings.llm_base_url else "OpenAI"
    return f"llm {settings.llm_model} at {where} ({settings.llm_method}), offline fallback"


def redacted(url: str) -> str:
    """The URL without what may be a secret: ``user:password@`` and the query string become ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host  # IPv6
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a URL we can read: show nothing of it
        return "***"
    netloc = f"***@{host}{port}" if "@" in parts.netloc else parts.netloc
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


def interview(args: argparse.Namespace) -> int:
    from ..scripted import run_script

    output_folder(args.out)  # a file in the way or a read-only path: said before the interview runs
    assistant = build_assistant()
    result = run_script(assistant, args.script, args.today or date.today())
    write_atomically(args.out / "transcript.json", result.transcript_json())
    write_atomically(args.out / "intake.yaml", result.intake_yaml)
    write_atomically(args.out / "plan.json", result.plan_json())
    print(
        f"interview {result.session_id}: {result.turns} turns, gate ready: {result.report.gate.ready}, "
        f"{len(result.report.initiatives)} initiatives -> {args.out}"
    )
    return 0


def sessions_list(args: argparse.Namespace) -> int:
    rows = build_assistant().sessions.list()
    if not rows:
        print("no session yet (start one with 'plannum chat')")
    for row in rows:
        print(f"{row.id}  {row.updated}  {row.language}  {row.engine:<8} {row.stage:<16} {row.turns} turns")
    return 0


def sessions_show(args: argparse.Namespace) -> int:
    print(build_assistant().sessions.dump(args.id))
    return 0


def sessions_export(args: argparse.Namespace) -> int:
    from ..conversation import intake_yaml

    emit(intake_yaml(build_assistant().sessions.load(args.id)), args.out, "intake")
    return 0


def ui(args: argparse.Namespace) -> int:
    """The web app: builds the index first (with progress), then serves until Ctrl-C."""
    from ..web import WebApp
    from ..web.app import parse_auth, serve

    auth = parse_auth(args.auth or os.environ.get("PLANNUM_UI_AUTH"))
    assistant = build_assistant()
    assistant.dense_index.vectors(progress)
    fixed = args.today
    app = WebApp(assistant, (lambda: fixed) if fixed else date.today)
    progress(f"engine: {engine_label(assistant)}")
    progress(f"plannum-assistant is ready: http://{args.host}:{args.port} (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        serve(app, args.host, args.port, auth)
    return 0
