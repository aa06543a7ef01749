"""Interview sessions in SQLite: every turn is committed before its reply is shown.

One database file in the data directory, WAL journal, versioned schema
migrations. A turn is stored in two steps: the user's message is committed
as soon as it arrives (it is never lost), then the new state and the reply
are committed together. A process killed in between leaves an unanswered
message, which :meth:`SessionStore.unanswered` returns so the turn can be
replayed on resume. Every query is scoped by session id.

Two writers on one session (two chats, two browser tabs) would each answer from their own copy of
the state, and the later would silently overwrite the earlier's answers: each thread remembers the
session's turn count as it loaded it, and a write finding another count is refused (an optimistic
version check, inside the write transaction). A damaged, read-only or full database is one line
naming the file (:class:`~plannum_assistant.errors.StorageError`), never a traceback; and once it
has held a session or a plan, a marker file beside it makes an emptied database a refusal rather
than a silent fresh start.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InterviewError, StorageError
from .interview import InterviewState
from .storage import database_error, ensure_folder, guarded, storage_error

MIGRATIONS: list[str] = [
    # 1: sessions and their turns
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        language TEXT NOT NULL,
        engine TEXT NOT NULL,
        stage TEXT NOT NULL,
        state TEXT NOT NULL
    );
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        text TEXT NOT NULL,
        engine TEXT,
        notice TEXT,
        created TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    """,
    # 2: stored plans under review, and their append-only audit log (issue 11)
    """
    CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        company TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        stored TEXT NOT NULL
    );
    CREATE TABLE plan_audit (
        plan_id TEXT NOT NULL REFERENCES plans(id),
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        action TEXT NOT NULL,
        item TEXT,
        before TEXT,
        after TEXT,
        comment TEXT,
        PRIMARY KEY (plan_id, seq)
    );
    CREATE TRIGGER plan_audit_no_update BEFORE UPDATE ON plan_audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER plan_audit_no_delete BEFORE DELETE ON plan_audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
]


class SessionInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    created: str
    updated: str
    language: str
    engine: str
    stage: str
    turns: int


def now() -> str:
    """The current time as stored (UTC, ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_now = now


class SessionStore:
    """``<data dir>/sessions.db``, usable from any thread.

    Each thread gets its own connection (a sqlite3 connection must not be shared
    between threads), configured identically; SQLite's WAL lets readers and one
    writer proceed together, and ``BEGIN IMMEDIATE`` plus the busy timeout
    serialise writers. Migrations run once, at construction. :meth:`close`
    closes every connection the store opened.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.marker = path.with_name(f"{path.name}.marker")
        self._marked = False
        ensure_folder(path.parent)
        self._refuse_emptied()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            return db
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            self._close_orphans()
            # check_same_thread=False only so that close() may close it from another thread:
            # the connection is used by its own thread alone.
            try:
                db = sqlite3.connect(self.path, isolation_level=None, timeout=10, check_same_thread=False)
            except sqlite3.Error as exc:
                raise database_error(self.path, exc) from None
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")  # a committed turn survives a power cut
                db.execute("PRAGMA foreign_keys=ON")
            except BaseException as exc:
                db.close()
                if isinstance(exc, sqlite3.Error):
                    raise database_error(self.path, exc) from None
                raise
            self._connections.append((weakref.ref(threading.current_thread()), db))
        self._local.db = db
        return db

    def _refuse_emptied(self) -> None:
        """A database that held sessions or plans (its marker says so) must not be recreated empty."""
        try:
            emptied = self.marker.exists() and (not self.path.exists() or self.path.stat().st_size == 0)
        except OSError as exc:
            raise storage_error(self.path, exc, "read the sessions database") from None
        if emptied:
            state = "empty" if self.path.exists() else "missing"
            raise StorageError(
                f"{self.path}: the sessions database is {state}, but it held sessions or plans; restore it from "
                f"a backup (nothing was written over it), or delete {self.marker.name} beside it to start afresh"
            )

    def mark_held(self) -> None:
        """Leave the marker before the database first holds a session or a plan (see :meth:`_refuse_emptied`)."""
        if self._marked:
            return
        if not self.marker.exists():
            try:
                self.marker.write_text(
                    "plannum: sessions.db beside this file holds interview sessions or stored plans.\n"
                    "If sessions.db goes missing or empty, plannum refuses to start a new one; restore it from a\n"
                    "backup, or delete this file to start afresh.\n"
                )
            except OSError as exc:
                raise storage_error(self.marker, exc, "write the sessions marker") from None
        self._marked = True

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (caller holds the lock)."""
        alive = []
        for owner, db in self._connections:
            thread = owner()
            if thread is not None and thread.is_alive():
                alive.append((owner, db))
            else:
                db.close()
        self._connections = alive

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for _, db in self._connections:
                db.close()
            self._connections.clear()

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (for the other stores that share this database)."""
        return self._db

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on any error)."""
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # a failed COMMIT (disk full, I/O error) must not leave it open
                db.execute("ROLLBACK")
            raise

    @guarded
    def _migrate(self) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise InterviewError(
                    f"{self.path}: sessions database is from a newer plannum (schema {version}); upgrade plannum"
                )
            for script in MIGRATIONS[version:]:
                # Statements end with ";" at the end of a line (a trigger's body keeps its inner ";").
                for statement in filter(str.strip, re.split(r";\s*\n", script)):
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            else:
                db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
            held = db.execute("SELECT EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM plans)").fetchone()
        if held[0]:
            self.mark_held()  # a database from before the marker existed

    # --- the version each thread last saw of a session (two writers) ----------------------------

    def _seen(self) -> dict[str, int]:
        seen: dict[str, int] | None = getattr(self._local, "seen", None)
        if seen is None:
            seen = self._local.seen = {}
        return seen

    def _check_version(self, db: sqlite3.Connection, session_id: str, saving: str) -> int:
        """The session's turn count, if it is the one this thread last saw; else InterviewError."""
        count = int(
            db.execute("SELECT COALESCE(MAX(seq), 0) FROM turns WHERE session_id = ?", (session_id,)).fetchone()[0]
        )
        expected = self._seen().get(session_id)
        if expected is not None and count != expected:
            raise InterviewError(
                f"session {session_id} was changed by another plannum (a second chat or browser tab) since it was "
                f"opened here: {saving} not saved; carry on there, or reopen it (plannum chat --session ID)"
            )
        return count

    # --- writing --------------------------------------------------------------------------

    @guarded
    def create(self, state: InterviewState, engine: str) -> str:
        session_id = uuid.uuid4().hex[:12]
        now = _now()
        self.mark_held()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, now, now, state.language.value, engine, state.stage, state.model_dump_json()),
            )
            for message in state.transcript:
                self._insert_turn(db, session_id, message.role, message.text, message.engine, message.notice)
        self._seen()[session_id] = len(state.transcript)
        return session_id

    @guarded
    def record_user(self, session_id: str, text: str) -> None:
        """Commit the user's message before anything else happens with it (refused if another
        process wrote to the session since this thread loaded it)."""
        with self._transaction() as db:
            self._require(db, session_id)
            count = self._check_version(db, session_id, "this message was")
            self._insert_turn(db, session_id, "user", text, None, None)
        self._seen()[session_id] = count + 1

    @guarded
    def record_reply(
        self, session_id: str, state: InterviewState, reply: str, engine: str, notice: str | None = None
    ) -> None:
        """Commit the new state and the reply together (refused, like :meth:`record_user`, over
        another process's newer answers)."""
        with self._transaction() as db:
            self._require(db, session_id)
            count = self._check_version(db, session_id, "this reply was")
            db.execute(
                "UPDATE sessions SET updated = ?, language = ?, engine = ?, stage = ?, state = ? WHERE id = ?",
                (_now(), state.language.value, engine, state.stage, state.model_dump_json(), session_id),
            )
            self._insert_turn(db, session_id, "assistant", reply, engine, notice)
        self._seen()[session_id] = count + 1

    def _insert_turn(
        self, db: sqlite3.Connection, session_id: str, role: str, text: str, engine: str | None, notice: str | None
    ) -> None:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id = ?", (session_id,)).fetchone()
        db.execute(
            "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, seq[0], role, text, engine, notice, _now())
        )

    @staticmethod
    def _require(db: sqlite3.Connection, session_id: str) -> None:
        if db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            raise InterviewError(f"no session {session_id!r} (see 'plannum sessions list')")

    # --- reading --------------------------------------------------------------------------

    @guarded
    def load(self, session_id: str) -> InterviewState:
        """The session's state; this thread's later writes to it must find it unchanged."""
        row = self._db.execute(
            "SELECT state, (SELECT COALESCE(MAX(seq), 0) FROM turns WHERE session_id = ?) FROM sessions WHERE id = ?",
            (session_id, session_id),
        ).fetchone()
        if row is None:
            raise InterviewError(f"no session {session_id!r} (see 'plannum sessions list')")
        self._seen()[session_id] = int(row[1])
        try:
            return InterviewState.model_validate_json(row[0])
        except ValidationError as exc:
            raise InterviewError(
                f"session {session_id}: stored state is unreadable ({exc.error_count()} errors)"
            ) from None

    @guarded
    def unanswered(self, session_id: str) -> str | None:
        """The last user message if no reply was committed after it (the process died mid-turn)."""
        row = self._db.execute(
            "SELECT role, text FROM turns WHERE session_id = ? ORDER BY seq DESC LIMIT 1", (session_id,)
        ).fetchone()
        return row[1] if row and row[0] == "user" else None

    @guarded
    def transcript(self, session_id: str) -> list[dict[str, str | None]]:
        rows = self._db.execute(
            "SELECT role, text, engine, notice, created FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
        return [dict(zip(("role", "text", "engine", "notice", "created"), row, strict=True)) for row in rows]

    @guarded
    def list(self) -> list[SessionInfo]:
        rows = self._db.execute(
            "SELECT s.id, s.created, s.updated, s.language, s.engine, s.stage, COUNT(t.seq) "
            "FROM sessions s LEFT JOIN turns t ON t.session_id = s.id GROUP BY s.id ORDER BY s.updated DESC"
        ).fetchall()
        keys = ("id", "created", "updated", "language", "engine", "stage", "turns")
        return [SessionInfo(**dict(zip(keys, row, strict=True))) for row in rows]

    @guarded
    def dump(self, session_id: str) -> str:
        """The session as JSON: its state and full transcript."""
        state = self.load(session_id)
        return json.dumps(
            {"id": session_id, "state": state.model_dump(mode="json"), "turns": self.transcript(session_id)},
            indent=2,
            ensure_ascii=False,
        )
