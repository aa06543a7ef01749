"""Storage faults through the command line (issue 15, item 11): a damaged, truncated or emptied sessions
database, a read-only data folder, a full disk, PLANNUM_DATA_DIR naming a file, outputs that cannot be
written. Each is one line naming the path and what to do, exit code 2, never a traceback, and what
was already saved stays as it was."""

from __future__ import annotations

import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plannum_assistant.interview import InterviewState, Message
from plannum_assistant.sessions import SessionStore
from plannum_assistant.vocabulary import Language

from .conftest import ROOT, run_cli
from .faults import can_make_read_only, one_line_error, run_cli_restricted, small_knowledge


def _sessions(data: Path, count: int) -> list[str]:
    """A sessions database holding ``count`` sessions with a few turns each."""
    store = SessionStore(data / "sessions.db")
    ids = []
    for number in range(count):
        state = InterviewState(language=Language.FR, pending=["company.name"])
        state.transcript.append(Message(role="assistant", text="Nom ?", engine="offline"))
        session_id = store.create(state, "offline")
        store.record_user(session_id, f"Entreprise {number} " + "x" * 400)
        store.record_reply(session_id, state, "Secteur ?", "offline")
        ids.append(session_id)
    store.close()
    return ids


def test_a_sessions_database_that_is_not_one_is_named_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "sessions.db"
    database.write_bytes(b"these are not the pages of a SQLite database\n" * 50)
    env = {"PLANNUM_DATA_DIR": str(data)}
    for args in (("sessions", "list"), ("sessions", "show", "abc"), ("plans", "list")):
        one_line_error(run_cli(*args, env=env), str(database), "damaged", "backup")
    assert database.read_bytes() == b"these are not the pages of a SQLite database\n" * 50


@pytest.mark.parametrize("damage", ["truncated", "garbled past its tenth page"])
def test_a_truncated_or_partly_garbled_sessions_database_is_named(tmp_path: Path, damage: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _sessions(data, 60)
    database = data / "sessions.db"
    whole = database.read_bytes()
    if damage == "truncated":
        broken = whole[: len(whole) // 2]
    else:  # the schema still opens: the damage shows only when the sessions are read
        broken = whole[: 10 * 4096] + bytes(range(256)) * ((len(whole) - 10 * 4096) // 256)
    database.write_bytes(broken)
    result = run_cli("sessions", "list", env={"PLANNUM_DATA_DIR": str(data)})
    one_line_error(result, str(database), "damaged")
    assert database.read_bytes() == broken


def test_an_emptied_sessions_database_is_refused_not_started_afresh(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _sessions(data, 2)
    database = data / "sessions.db"
    database.write_bytes(b"")  # a crash, a bad copy or a full disk left 0 bytes where the sessions were
    env = {"PLANNUM_DATA_DIR": str(data)}
    for args in (("sessions", "list"), ("plans", "list")):
        one_line_error(run_cli(*args, env=env), str(database), "held sessions", "backup", "sessions.db.marker")
    assert database.stat().st_size == 0  # not silently recreated as an empty database
    database.unlink()  # gone altogether: refused too
    one_line_error(run_cli("sessions", "list", env=env), str(database), "missing")
    assert not database.exists()
    (data / "sessions.db.marker").unlink()  # the way out the message gives: start afresh
    fresh = run_cli("sessions", "list", env=env)
    assert fresh.returncode == 0 and "no session yet" in fresh.stdout, fresh.stderr


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "plannum-data"
    path.write_text("not a folder\n")
    env = {"PLANNUM_DATA_DIR": str(path)}
    intake = str(ROOT / "examples" / "intake-en.yaml")
    for args in (("sessions", "list"), ("search", "our quotes take days"), ("plan", "--intake", intake), ("index",)):
        one_line_error(run_cli(*args, env=env), str(path), "is a file", "PLANNUM_DATA_DIR")
    assert path.read_text() == "not a folder\n"


read_only = pytest.mark.skipif(not can_make_read_only(), reason="no way to make a folder read-only here")


@read_only
def test_a_read_only_data_dir_still_plans_and_says_what_it_cannot_write(tmp_path: Path, cli_data_dir: Path) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    intake = str(ROOT / "examples" / "intake-en.yaml")
    planned = run_cli_restricted("plan", "--intake", intake, "--today", "2026-11-26", env=env, read_only=cli_data_dir)
    assert planned.returncode == 0, planned.stderr  # reading the index needs no write
    assert json.loads(planned.stdout)["company"]["name"]
    database = cli_data_dir / "sessions.db"
    one_line_error(run_cli_restricted("sessions", "list", env=env, read_only=cli_data_dir), str(database), "writable")
    saved = run_cli_restricted(
        "plan", "--intake", intake, "--today", "2026-11-26", "--save", env=env, read_only=cli_data_dir
    )
    one_line_error(saved, str(database), "writable")
    assert json.loads(saved.stdout)["company"]["name"]  # the plan was printed before the save failed
    one_line_error(run_cli_restricted("chat", env=env, read_only=cli_data_dir, stdin="fr\n"), str(database), "writable")


@read_only
def test_a_read_only_empty_data_dir_fails_before_building_anything(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {"PLANNUM_DATA_DIR": str(data), "PLANNUM_KNOWLEDGE_DIR": str(small_knowledge(tmp_path))}
    result = run_cli_restricted("search", "customers wait for answers", env=env, read_only=data)
    one_line_error(result, str(data), "cannot build the index there", "writable", "PLANNUM_DATA_DIR")
    assert "embedding" not in result.stderr  # said at once, not after minutes of work
    assert not any(data.iterdir())


def test_a_full_disk_while_chatting_keeps_the_saved_turns(tmp_path: Path, cli_data_dir: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "index").symlink_to(cli_data_dir / "index", target_is_directory=True)  # read only: stays outside
    if (cli_data_dir / "cache").exists():
        (seed / "cache").symlink_to((cli_data_dir / "cache").resolve(), target_is_directory=True)
    (session_id,) = _sessions(seed, 1)
    before = _turns(seed / "sessions.db", session_id)
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    kept.mkdir()
    env = {"PLANNUM_DATA_DIR": str(disk)}
    copy_out = f'rm -f "$0/filler"; cp "$0"/sessions.db* "{kept}"/;'
    chat = run_cli_restricted(
        "chat", "--session", session_id, env=env, full=(disk, seed), after=copy_out, stdin="Menuiserie\n"
    )
    one_line_error(chat, str(disk / "sessions.db"), "disk is full", "free some space")
    assert _turns(kept / "sessions.db", session_id) == before  # nothing saved was lost or half-written
    intake = str(ROOT / "examples" / "intake-en.yaml")
    saved = run_cli_restricted("plan", "--intake", intake, "--save", env=env, full=(disk, seed))
    one_line_error(saved, str(disk / "sessions.db"), "disk is full")
    written = run_cli_restricted(
        "plan", "--intake", intake, "--out", str(disk / "plan.json"), env=env, full=(disk, seed)
    )
    one_line_error(written, str(disk / "plan.json"), "No space left on device", "free some space")


def _turns(database: Path, session_id: str) -> list[tuple[str, str]]:
    db = sqlite3.connect(database)
    try:
        return db.execute("SELECT role, text FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)).fetchall()
    finally:
        db.close()


def test_interview_out_on_a_file_or_a_read_only_path_is_refused_before_the_interview(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"PLANNUM_DATA_DIR": str(data)}
    script = str(ROOT / "examples" / "interview-fr.yaml")
    existing = tmp_path / "out.txt"
    existing.write_text("keep me\n")
    one_line_error(
        run_cli("interview", "--script", script, "--out", str(existing), env=env), str(existing), "is a file"
    )
    assert existing.read_text() == "keep me\n"
    assert not data.exists()  # refused before any session was started
    if can_make_read_only():
        locked = tmp_path / "locked"
        locked.mkdir()
        result = run_cli_restricted(
            "interview", "--script", script, "--out", str(locked / "run"), env=env, read_only=locked
        )
        one_line_error(result, str(locked / "run"), "cannot write", "choose another path")
        assert not data.exists()


def test_eval_report_to_a_folder_is_refused_before_the_evaluation(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    eval_set = tmp_path / "set.yaml"
    eval_set.write_text(
        "version: 1\nitems:\n  - id: a\n    lang: en\n    text: tickets get lost\n    acceptable: [helpdesk]\n"
    )
    folder = tmp_path / "reports"
    folder.mkdir()
    env = {"PLANNUM_DATA_DIR": str(tmp_path / "data"), "PLANNUM_KNOWLEDGE_DIR": str(knowledge)}
    result = run_cli("eval", "retrieval", "--set", str(eval_set), "--report", str(folder), env=env)
    one_line_error(result, str(folder), "is a folder", "file name")
    assert "evaluating" not in result.stderr and not (tmp_path / "data").exists()  # before any work
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("args", [("schema",), ("sessions", "list")], ids=["large output", "small output"])
def test_standard_output_on_a_full_device_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "plannum_assistant", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PLANNUM_DATA_DIR": str(tmp_path / "data")},
            timeout=120,
            check=False,
        )
    one_line_error(result, "cannot write to standard output", "No space left on device", "free some space")


class _FullDevice(io.RawIOBase):
    """A file on a full disk: every write fails; small output sits in the buffer until it is flushed."""

    full = True

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        return len(data)


def test_output_that_fails_only_when_flushed_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plannum sessions list > /full/disk/out.txt`: a few bytes, buffered, fail at the last flush."""
    from plannum_assistant.cli import main

    device = _FullDevice()
    stream = io.TextIOWrapper(io.BufferedWriter(device), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setenv("PLANNUM_DATA_DIR", str(tmp_path / "data"))
    try:
        assert main(["sessions", "list"]) == 2
    finally:
        device.full = False  # let the buffered bytes go, so that closing the stream does not fail again
        stream.close()
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith("plannum: error: cannot write to standard output (No space left on device)")
