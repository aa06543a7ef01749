"""The session store: usable from many threads, durable mid-turn, scoped by session, versioned.

Real SQLite files in tmp_path; the engine is a small fake so these tests stay fast and
independent of the catalogue.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pytest

from plannum_assistant.conversation import Conversation
from plannum_assistant.errors import InterviewError
from plannum_assistant.interview import InterviewState, Message, Turn, load_script
from plannum_assistant.sessions import MIGRATIONS, SessionStore
from plannum_assistant.vocabulary import Language

from .conftest import KNOWLEDGE

THREADS = 8
SESSIONS_PER_THREAD = 20
EXCHANGES = 2


class FakeEngine:
    """An engine that echoes; ``crash`` makes respond() raise after its checks (a process killed mid-turn)."""

    name = "fake"

    def __init__(self, db_path: Path) -> None:
        self.texts = load_script(KNOWLEDGE / "interview.yaml").texts
        self.db_path = db_path
        self.session_id: str | None = None
        self.crash = False
        self.received: list[str] = []
        self.seen_committed: list[tuple[str, str] | None] = []

    def start(self, language: Language | None = None) -> Turn:
        state = InterviewState(language=language or Language.FR, pending=["company.name"])
        state.transcript.append(Message(role="assistant", text="Nom ?", engine=self.name))
        return Turn(reply="Nom ?", state=state, engine=self.name)

    def respond(self, state: InterviewState, message: str) -> Turn:
        self.received.append(message)
        if self.session_id is not None:
            # What another process would see: a separate connection, not the store's.
            other = sqlite3.connect(self.db_path)
            try:
                row = other.execute(
                    "SELECT role, text FROM turns WHERE session_id = ? ORDER BY seq DESC LIMIT 1", (self.session_id,)
                ).fetchone()
            finally:
                other.close()
            self.seen_committed.append(row)
            assert row == ("user", message), "the user's message must be committed before the engine runs"
        if self.crash:
            raise RuntimeError("simulated crash in the engine")
        state = state.model_copy(deep=True)
        state.answers["company.name"] = message
        state.pending = []
        return Turn(reply=f"reçu : {message}", state=state, engine=self.name)

    def question(self, state: InterviewState) -> str:
        return "Nom ?"


def test_one_store_serves_many_threads_and_keeps_every_session_apart(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    start = threading.Barrier(THREADS)

    def worker(number: int) -> dict[str, list[tuple[str, str]]]:
        start.wait()  # all threads hit the store at once
        expected: dict[str, list[tuple[str, str]]] = {}
        for s in range(SESSIONS_PER_THREAD):
            greeting = f"t{number} s{s} hello"
            state = InterviewState(transcript=[Message(role="assistant", text=greeting)])
            expected[store.create(state, "fake")] = [("assistant", greeting)]
        for exchange in range(EXCHANGES):  # round-robin, so each session's turns interleave with others'
            for session_id, turns in expected.items():
                question = f"{session_id} user {exchange}"
                answer = f"{session_id} reply {exchange}"
                store.record_user(session_id, question)
                store.record_reply(session_id, store.load(session_id), answer, "fake")
                turns += [("user", question), ("assistant", answer)]
        return expected

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    expected = {sid: turns for result in results for sid, turns in result.items()}
    assert len(expected) == THREADS * SESSIONS_PER_THREAD
    for session_id, turns in expected.items():
        stored = [(t["role"], t["text"]) for t in store.transcript(session_id)]
        assert stored == turns
        assert store.unanswered(session_id) is None
    assert {info.id: info.turns for info in store.list()} == {sid: 1 + 2 * EXCHANGES for sid in expected}

    store.close()
    # SQLite removes the WAL file when the last connection closes: close() closed every thread's connection.
    assert not path.with_name(path.name + "-wal").exists()
    with pytest.raises(sqlite3.ProgrammingError):
        store.list()


def test_the_users_message_is_committed_before_the_engine_runs(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    engine = FakeEngine(path)
    conversation, _ = Conversation.start(store, engine, Language.FR)
    engine.session_id = conversation.session_id
    engine.crash = True

    with pytest.raises(RuntimeError, match="simulated crash"):
        conversation.send("Ébénisterie Gagnon")
    assert engine.seen_committed == [("user", "Ébénisterie Gagnon")]
    store.close()  # the process dies

    reopened = SessionStore(path)
    restarted = FakeEngine(path)
    restarted.session_id = conversation.session_id
    resumed, reply = Conversation.resume(reopened, restarted, conversation.session_id)
    assert restarted.received == ["Ébénisterie Gagnon"]  # replayed exactly once, exactly that message
    assert reply == "reçu : Ébénisterie Gagnon"
    assert resumed.state.answers["company.name"] == "Ébénisterie Gagnon"
    roles_texts = [(t["role"], t["text"]) for t in reopened.transcript(conversation.session_id)]
    assert roles_texts == [
        ("assistant", "Nom ?"),
        ("user", "Ébénisterie Gagnon"),
        ("assistant", "reçu : Ébénisterie Gagnon"),
    ]
    assert reopened.unanswered(conversation.session_id) is None
    reopened.close()


def test_resume_replays_only_its_own_sessions_unanswered_message(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    first, _ = Conversation.start(store, FakeEngine(path), Language.FR)
    second, _ = Conversation.start(store, FakeEngine(path), Language.EN)
    second.send("Beta Ltd.")  # B has more turns, so its unanswered message is the latest of all by seq
    store.record_user(first.session_id, "Alpha inc.")  # both then die mid-turn
    store.record_user(second.session_id, "Beta again")

    engine_a = FakeEngine(path)
    _, reply_a = Conversation.resume(store, engine_a, first.session_id)
    assert engine_a.received == ["Alpha inc."]
    assert reply_a == "reçu : Alpha inc."
    assert "Beta" not in str([t["text"] for t in store.transcript(first.session_id)])
    assert store.unanswered(first.session_id) is None
    assert store.unanswered(second.session_id) == "Beta again"  # untouched by A's resume

    engine_b = FakeEngine(path)
    _, reply_b = Conversation.resume(store, engine_b, second.session_id)
    assert engine_b.received == ["Beta again"] and reply_b == "reçu : Beta again"
    assert store.load(first.session_id).answers["company.name"] == "Alpha inc."
    store.close()


def test_a_database_from_a_newer_plannum_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    SessionStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
    db.commit()
    db.close()
    with pytest.raises(InterviewError, match=rf"newer plannum \(schema {len(MIGRATIONS) + 1}\)"):
        SessionStore(path)
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS) + 1,)  # left as it was
    db.close()


def test_a_database_of_the_first_schema_is_migrated_and_keeps_its_sessions(tmp_path: Path) -> None:
    """Schema 1 had sessions only; schema 2 adds stored plans and their audit log."""
    path = tmp_path / "sessions.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO sessions VALUES ('abc', 'now', 'now', 'fr', 'offline', 'company', '{}')")
    db.commit()
    db.close()
    store = SessionStore(path)
    try:
        tables = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"sessions", "turns", "plans", "plan_audit"} <= tables
        assert store.connection.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)
        assert store.connection.execute("SELECT id FROM sessions").fetchall() == [("abc",)]
    finally:
        store.close()


def test_a_second_writer_on_a_session_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    """Two processes (two stores) resume one session: the one that answers second is told, not obeyed."""
    path = tmp_path / "sessions.db"
    first, second = SessionStore(path), SessionStore(path)
    started, _ = Conversation.start(first, FakeEngine(path), Language.FR)
    session_id = started.session_id
    other, _ = Conversation.resume(second, FakeEngine(path), session_id)
    assert started.send("Alpha inc.").reply == "reçu : Alpha inc."
    with pytest.raises(InterviewError, match=rf"session {session_id} was changed by another plannum.*not saved"):
        other.send("Beta ltée")
    assert first.load(session_id).answers["company.name"] == "Alpha inc."  # not overwritten by the stale copy
    assert "Beta ltée" not in [t["text"] for t in first.transcript(session_id)]
    assert first.unanswered(session_id) is None
    reopened, _ = Conversation.resume(second, FakeEngine(path), session_id)  # what the message tells them to do
    assert reopened.state.answers["company.name"] == "Alpha inc."
    assert reopened.send("Beta ltée").reply == "reçu : Beta ltée"
    with pytest.raises(InterviewError, match="changed by another plannum"):
        started.send("Alpha again")  # and now the first one is the stale one
    first.close()
    second.close()


def test_two_threads_of_one_store_on_one_session_cannot_both_write(tmp_path: Path) -> None:
    """The web app: one store, a worker thread per request, two tabs on one session."""
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    session_id = Conversation.start(store, FakeEngine(path), Language.FR)[0].session_id
    loaded = threading.Barrier(2)

    def tab(name: str) -> str:
        conversation = Conversation(store, FakeEngine(path), session_id, store.load(session_id))
        loaded.wait()  # both tabs hold the same state before either answers
        try:
            return conversation.send(name).reply
        except InterviewError as refused:
            return str(refused)

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(tab, ["Alpha inc.", "Beta ltée"]))
    assert sorted("changed by another plannum" in reply for reply in replies) == [False, True], replies
    winner = "Alpha inc." if replies[0].startswith("reçu") else "Beta ltée"
    assert store.load(session_id).answers["company.name"] == winner
    assert [t["text"] for t in store.transcript(session_id)] == ["Nom ?", winner, f"reçu : {winner}"]
    store.close()


class _Output:
    """Everything a process has written to stdout so far (read by a thread: prompts end no line)."""

    def __init__(self, stream: IO[str]) -> None:
        self.text = ""
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        while character := stream.read(1):
            self.text += character

    def wait_for(self, count: int, fragment: str = "> ") -> None:
        deadline = time.monotonic() + 120
        while self.text.count(fragment) < count:
            assert time.monotonic() < deadline, self.text
            time.sleep(0.05)


def test_two_chats_on_one_session_the_second_writer_is_told(cli_data_dir: Path) -> None:
    env = {**os.environ, "PLANNUM_DATA_DIR": str(cli_data_dir), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "plannum_assistant", "chat"]
    started = subprocess.run([*command, "--lang", "fr"], input="", capture_output=True, text=True, env=env, timeout=120)
    assert started.returncode == 0, started.stderr
    session_id = started.stderr.split("session saved: ")[1].split()[0]

    def resume() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*command, "--session", session_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    first, second = resume(), resume()
    assert first.stdin is not None and second.stdin is not None and first.stdout and second.stdout
    out_first, out_second = _Output(first.stdout), _Output(second.stdout)
    out_first.wait_for(1)
    out_second.wait_for(1)  # both have loaded the session and wait for an answer
    first.stdin.write("Ébénisterie Gagnon\n")
    first.stdin.flush()
    out_first.wait_for(2)  # answered and stored
    second.stdin.write("Autre nom inc.\n")
    second.stdin.close()
    assert second.wait(timeout=120) == 2
    errors = second.stderr.read() if second.stderr else ""
    assert "Traceback" not in errors
    assert f"plannum: error: session {session_id} was changed by another plannum" in errors.strip().splitlines()[-1]
    first.stdin.close()
    assert first.wait(timeout=120) == 0
    shown = subprocess.run(
        [sys.executable, "-m", "plannum_assistant", "sessions", "show", session_id],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    texts = [turn["text"] for turn in json.loads(shown.stdout)["turns"]]
    assert "Ébénisterie Gagnon" in texts and "Autre nom inc." not in texts
