"""Plant realistic one-line bugs, one at a time, in a scratch copy, and see whether the suite notices.

    python benchmarks/mutants.py [--tree PATH] [--only NAME ...] [--pytest-args "-x -q"]

Each mutant in ``benchmarks/mutants.yaml`` names the bug and one or more places where it can be
planted (the code moved between versions: the first place whose file holds the text is used).
The tree (default: this repository) is copied to a temporary folder, the bug planted there and
the test suite run against the copy (``PYTHONPATH`` points at its ``src``). A mutant is *killed*
when the suite fails. Prints one line per mutant and the kill ratio; nothing in the tree changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_COPIED = ("src", "tests", "knowledge", "evals", "examples", "prompts", "pyproject.toml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="repository tree to mutate (a copy is used)")
    parser.add_argument("--mutants", type=Path, default=ROOT / "benchmarks" / "mutants.yaml")
    parser.add_argument("--only", nargs="*", help="mutant names to run")
    parser.add_argument("--pytest-args", default="-x -q -p no:cacheprovider", help="passed to pytest")
    args = parser.parse_args()
    mutants = yaml.safe_load(args.mutants.read_text())["mutants"]
    if args.only:
        mutants = [m for m in mutants if m["name"] in args.only]
    killed = planted = 0
    for mutant in mutants:
        with tempfile.TemporaryDirectory(prefix="plannum-mutant-") as scratch:
            tree = Path(scratch)
            for name in _COPIED:
                source = args.tree / name
                if source.is_dir():
                    shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
                elif source.exists():
                    shutil.copy2(source, tree / name)
            where = _plant(tree, mutant["places"])
            if where is None:
                print(f"{mutant['name']:<34} not applicable to this tree")
                continue
            planted += 1
            started = time.perf_counter()
            env = {**os.environ, "PYTHONPATH": str(tree / "src")}
            run = subprocess.run(
                [sys.executable, "-m", "pytest", *args.pytest_args.split()],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - started
            caught = run.returncode != 0
            killed += caught
            verdict = "KILLED " if caught else "SURVIVED"
            print(f"{mutant['name']:<34} {verdict} {seconds:6.1f}s  {where}", flush=True)
    ratio = killed / planted if planted else 0.0
    print(f"killed {killed} of {planted} mutants ({ratio:.0%})")
    return 0


def _plant(tree: Path, places: list[dict[str, str]]) -> str | None:
    for place in places:
        path = tree / place["file"]
        if path.exists() and place["old"] in path.read_text(encoding="utf-8"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(place["old"], place["new"], 1), encoding="utf-8")
            return place["file"]
    return None


if __name__ == "__main__":
    raise SystemExit(main())
