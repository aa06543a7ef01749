"""The index checked when opened, rebuilt when damaged, shared safely between processes (issue 15,
items 6 and 8, and the leftovers of killed builds).

A three-entry catalogue keeps each build to a few seconds; every test works on its own copy of one
index built for the module. Processes are real (``python -m plannum_assistant`` or small scripts).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from .conftest import ROOT, run_cli
from .faults import small_knowledge

QUERY = "customers wait days for an answer to their tickets"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, str]:
    """(environment, data folder, `search --format json` output) of an intact index."""
    root = tmp_path_factory.mktemp("integrity")
    data = root / "data"
    data.mkdir()
    (root / "cache").mkdir()
    (data / "cache").symlink_to(root / "cache", target_is_directory=True)  # the encoder cache, written once
    env = {"PLANNUM_DATA_DIR": str(data), "PLANNUM_KNOWLEDGE_DIR": str(small_knowledge(root))}
    result = run_cli("search", QUERY, "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return env, data, result.stdout


def _copy(built: tuple[dict[str, str], Path, str], tmp_path: Path) -> tuple[dict[str, str], Path]:
    env, data, _ = built
    target = tmp_path / "data"
    shutil.copytree(data, target, symlinks=True)
    return {**env, "PLANNUM_DATA_DIR": str(target)}, target / "index"


def _segment(index: Path) -> Path:
    (folder,) = [p for p in index.iterdir() if p.is_dir()]
    return folder


def _garble(path: Path) -> None:
    path.write_bytes(np.random.default_rng(7).bytes(max(path.stat().st_size, 64)))


def _progress(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def _search(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli("search", QUERY, "--format", "json", env=env)


# --- item 6: checked when opened -------------------------------------------------------------


@pytest.mark.parametrize("damage", ["segment file deleted", "segment garbage"])
def test_a_damaged_chroma_segment_changes_no_answer_and_index_rebuilds_it(
    built: tuple[dict[str, str], Path, str], tmp_path: Path, damage: str
) -> None:
    env, index = _copy(built, tmp_path)
    segment = _segment(index)
    if damage == "segment file deleted":
        (segment / "data_level0.bin").unlink()
    else:
        for path in segment.iterdir():
            _garble(path)
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr  # searches never read Chroma
    rebuilt = run_cli("index", env=env)
    assert rebuilt.returncode == 0 and "index built" in rebuilt.stdout, (rebuilt.stdout, rebuilt.stderr)
    assert f"{index}: damaged index ({segment.name}/" in _progress(rebuilt)
    again = run_cli("index", env=env)
    assert again.returncode == 0 and "already current" in again.stdout, again.stderr
    assert _search(env).stdout == built[2]


def _shuffled(path: Path) -> None:
    """A valid archive with the same arrays, its rows in another order (another build, a bad copy)."""
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["matrix"] = arrays["matrix"][np.random.default_rng(3).permutation(len(arrays["matrix"]))]
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "deleted", "rows shuffled", "snapshot deleted and segment garbage"]
)
def test_a_snapshot_that_is_not_the_builds_is_rebuilt_and_said(
    built: tuple[dict[str, str], Path, str], tmp_path: Path, damage: str
) -> None:
    env, index = _copy(built, tmp_path)
    snapshot = index / "vectors.npz"
    if damage == "garbage":
        _garble(snapshot)
    elif damage == "truncated":
        snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 2])
    elif damage == "rows shuffled":
        _shuffled(snapshot)
    else:
        snapshot.unlink()
        if damage != "deleted":
            for path in _segment(index).iterdir():
                _garble(path)
    searched = _search(env)
    assert searched.returncode == 0, searched.stderr
    assert searched.stdout == built[2]  # never a silently different answer
    assert f"{index}: damaged index (vectors.npz: " in _progress(searched)
    assert "already current" in run_cli("index", env=env).stdout  # and it is whole again


def test_a_classifier_from_another_build_is_not_trusted(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    path = index / "classifier.npz"
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["bias"] = arrays["bias"][::-1].copy()  # same entries, same shapes: it passes the model's own checks
    np.savez(path, **arrays)
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    assert f"{index}: damaged index (classifier.npz: " in _progress(searched)


def _reseal(index: Path, name: str) -> None:
    """Record a changed archive in the manifest, as a build that wrote wrong vectors would have."""
    from plannum_assistant.index_files import archive_checksums, digest

    manifest = json.loads((index / "manifest.json").read_text())
    manifest["arrays"][name] = archive_checksums(index / name)
    manifest["files"][name] = digest(index / name)
    (index / "manifest.json").write_text(json.dumps(manifest))


def test_the_probe_catches_an_index_whose_vectors_are_not_its_texts(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    _shuffled(index / "vectors.npz")
    _reseal(index, "vectors.npz")  # every checksum agrees: only the probe can tell
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    progress = _progress(searched)
    assert "the encoder does not match the index" in progress  # first suspect: the encoder's cache
    assert f"{index}: damaged index (its probe texts come back elsewhere); rebuilding it" in progress
    assert _search(env).stderr == ""  # rebuilt once, then quiet


def test_the_probe_catches_an_encoder_cache_that_gives_other_vectors(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    shared, weights = _private_cache(index.parent)
    with np.load(weights) as packed:
        arrays = {name: packed[name] for name in packed.files}
    arrays["proj2"] = arrays["proj2"][::-1].copy()  # a valid archive, another model
    np.savez(weights, **arrays)
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    assert "the encoder does not match the index; loading it again from its package" in _progress(searched)
    assert "rebuilding" not in searched.stderr  # the index was right all along
    fresh = next(shared.glob("usem3-*/weights.npz"))
    assert weights.read_bytes() == fresh.read_bytes()  # the cache was written afresh
    assert _search(env).stderr == ""


def test_an_encoder_cache_with_a_bad_checksum_is_replaced(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    _, weights = _private_cache(index.parent)
    raw = bytearray(weights.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped bit of rot in the middle of an array
    weights.write_bytes(bytes(raw))
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    with zipfile.ZipFile(weights) as archive:
        assert archive.testzip() is None  # written again from the package


# --- item 8: one build at a time, swaps readers never see half done ---------------------------


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_first_runs_at_once_on_an_empty_data_dir_build_once_and_all_answer(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    shutil.rmtree(index)
    for lock in index.parent.glob("index*.lock"):
        lock.unlink()
    runs = [
        _spawn([sys.executable, "-m", "plannum_assistant", "search", QUERY, "--format", "json"], env) for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outputs]
    assert all(out == built[2] for out, _ in outputs)
    stderr = "".join(err for _, err in outputs)
    assert "Traceback" not in stderr
    assert stderr.count("embedding ") == 1, stderr  # one build; the others waited for it
    assert "waiting for another plannum process to finish building the index" in stderr
    assert sorted(p.name for p in index.parent.iterdir() if p.is_dir()) == ["cache", "index"]


READER = """
import sys
from pathlib import Path
from plannum_assistant.assistant import Assistant
from plannum_assistant.settings import Settings

data, knowledge, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
runs = 0
while not stop.exists():
    runs += 1
    assistant = Assistant(Settings(data_dir=data, knowledge_dir=knowledge))  # a new process, as far as the index goes
    hits = assistant.search("tickets get lost", top_k=3, mode="bm25", progress=lambda m: print("PROGRESS", m))
    assistant.dense_index.classifier()
    print("RESULT", [hit.id for hit in hits], flush=True)
print("RUNS", runs)
"""

SLOW_SWAPS = """
import os, sys, time
from pathlib import Path
from plannum_assistant.assistant import Assistant
from plannum_assistant.settings import Settings

data, knowledge = Path(sys.argv[1]), Path(sys.argv[2])
real = os.rename
def slow(source, target, *args, **kwargs):  # each rename of a swap takes 0.4 s: readers run into it
    real(source, target, *args, **kwargs)
    time.sleep(0.4)
os.rename = slow
for _ in range(2):
    Assistant(Settings(data_dir=data, knowledge_dir=knowledge)).build_index(force=True)
print("BUILT TWICE")
"""


def test_searches_during_forced_rebuilds_see_the_old_index_or_the_new_one(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    data, knowledge, stop = str(index.parent), env["PLANNUM_KNOWLEDGE_DIR"], tmp_path / "stop"
    readers = [_spawn([sys.executable, "-c", READER, data, knowledge, str(stop)], env) for _ in range(2)]
    try:
        builder = subprocess.run(
            [sys.executable, "-c", SLOW_SWAPS, data, knowledge],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        stop.touch()
    outputs = [reader.communicate(timeout=120) for reader in readers]
    assert builder.returncode == 0 and "BUILT TWICE" in builder.stdout, builder.stderr
    for out, err in outputs:
        assert err == "", err  # no reader failed
        assert "PROGRESS" not in out  # no reader found the index gone (to build it, or wait for a build)
        results = {line for line in out.splitlines() if line.startswith("RESULT")}
        assert len(results) == 1, results
        assert int(out.split("RUNS ")[1]) >= 5
    assert sorted(p.name for p in index.parent.iterdir() if p.is_dir()) == ["cache", "index"]


# --- the leftovers of killed builds -----------------------------------------------------------

SLOW_BUILD = """
import sys, time
from pathlib import Path
from plannum_assistant import encoder
from plannum_assistant.assistant import Assistant
from plannum_assistant.settings import Settings

real = encoder.Encoder.__call__
def slow(self, texts):  # a build that takes a while: long enough to be seen, or killed, mid-way
    time.sleep(1.0)
    return real(self, texts)
encoder.Encoder.__call__ = slow
Assistant(Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]))).build_index(force=True)
print("BUILT")
"""


def _wait_for_partial(data: Path, build: subprocess.Popen[str]) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list(data.glob("index.partial-*"))
        if found:
            return found[0]
        assert build.poll() is None, build.communicate()
        time.sleep(0.05)
    raise AssertionError("the build never started")


def test_a_killed_builds_leftovers_go_but_a_live_builds_stay(
    built: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, index = _copy(built, tmp_path)
    data, knowledge = index.parent, env["PLANNUM_KNOWLEDGE_DIR"]
    live = _spawn([sys.executable, "-c", SLOW_BUILD, str(data), knowledge], env)
    partial = _wait_for_partial(data, live)
    searched = _search(env)  # the index is current: no wait; the build in progress must be left alone
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    assert partial.is_dir() and live.poll() is None
    assert live.communicate(timeout=300)[0].strip() == "BUILT"

    killed = _spawn([sys.executable, "-c", SLOW_BUILD, str(data), knowledge], env)
    partial = _wait_for_partial(data, killed)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    old = data / "index.old-1-deadbeef"  # a build killed between its two renames
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    assert partial.is_dir()
    searched = _search(env)
    assert searched.returncode == 0 and searched.stdout == built[2], searched.stderr
    assert not partial.exists() and not old.exists()
    assert sorted(p.name for p in data.iterdir() if p.is_dir()) == ["cache", "index"]


def test_a_damaged_index_under_the_full_catalogue_plans_as_before(tmp_path: Path, cli_data_dir: Path) -> None:
    """The real catalogue: a plan never silently changes because Chroma's segment was lost."""
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    args = ("plan", "--intake", str(ROOT / "examples" / "intake-fr.yaml"), "--today", "2026-11-26")
    intact = run_cli(*args, env=env)
    assert intact.returncode == 0, intact.stderr
    for path in _segment(cli_data_dir / "index").iterdir():
        path.unlink()
    damaged = run_cli(*args, env=env)
    assert damaged.returncode == 0 and damaged.stdout == intact.stdout, damaged.stderr


def _private_cache(data: Path) -> tuple[Path, Path]:
    """The encoder cache the test data folder links to, replaced by a private copy to damage:
    (the shared original, the copy's weights file)."""
    shared = (data / "cache").resolve()
    (data / "cache").unlink()
    shutil.copytree(shared, data / "cache")
    (weights,) = (data / "cache").glob("usem3-*/weights.npz")
    return shared, weights
