"""Storage faults for tests: a small catalogue, read-only folders and full disks for a CLI run.

A read-only folder is a read-only bind mount in a private mount namespace (``unshare``) when the
tests run as root (root ignores file modes), or ``chmod`` otherwise; a full disk is a small tmpfs in
such a namespace, filled up. Mounts in a private namespace vanish with the process: nothing leaks.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import KNOWLEDGE

CATALOGUE = ("crm", "helpdesk", "cmms")


def small_knowledge(folder: Path) -> Path:
    """Three catalogue entries and one training statement: an index builds in a few seconds."""
    target = folder / "knowledge"
    (target / "catalogue").mkdir(parents=True)
    for name in CATALOGUE:
        shutil.copy(KNOWLEDGE / "catalogue" / f"{name}.yaml", target / "catalogue")
    for name in ("dimensions.yaml", "ranker.yaml"):
        shutil.copy(KNOWLEDGE / name, target)
    (target / "owner_statements.yaml").write_text(
        "version: 1\nstatements:\n"
        "  - source: test#1\n    language: en\n    answer: [cmms]\n"
        "    text: The press breaks down every other week and nobody writes down what was fixed.\n"
    )
    return target


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit code 2 and a single line on stderr holding every fragment; never a traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@functools.cache
def _namespaces() -> bool:
    """Root with a private mount namespace at hand (containers and CI machines run tests as root)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def can_make_read_only() -> bool:
    return os.geteuid() != 0 or _namespaces()


def run_cli_restricted(
    *args: str,
    env: dict[str, str],
    read_only: Path | None = None,
    full: tuple[Path, Path] | None = None,
    after: str = "",
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``plannum ARGS`` with ``read_only`` a read-only folder, or ``full = (folder, seed)``: ``folder``
    a 2 MB disk holding a copy of ``seed``, filled up. ``after``: shell run once the command ended,
    in the same namespace (to copy a file out of the full disk)."""
    command = [sys.executable, "-m", "plannum_assistant", *args]
    full_env = {**os.environ, **env}
    if full is not None:
        if not _namespaces():
            pytest.skip("a full disk needs root and a private mount namespace (unshare)")
        folder, seed = full
        script = (
            'mount -t tmpfs -o size=2m tmpfs "$0" && cp -a "$1"/. "$0"/ '
            '&& { head -c 16M /dev/zero > "$0/filler" 2>/dev/null; true; } && shift '
            f'&& {{ "$@"; code=$?; {after} exit $code; }}'
        )
        return _run(["unshare", "--mount", "sh", "-c", script, str(folder), str(seed), *command], full_env, stdin)
    if read_only is None:
        return _run(command, full_env, stdin)
    if os.geteuid() != 0:
        mode = read_only.stat().st_mode
        read_only.chmod(0o555)
        try:
            return _run(command, full_env, stdin)
        finally:
            read_only.chmod(mode)
    if not _namespaces():
        pytest.skip("a read-only folder as root needs a private mount namespace (unshare)")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
    return _run(["unshare", "--mount", "sh", "-c", script, str(read_only), *command], full_env, stdin)


def _run(command: list[str], env: dict[str, str], stdin: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=300, check=False)
