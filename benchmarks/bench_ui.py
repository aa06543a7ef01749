"""Web app benchmark: the server's memory with N open sessions, and a turn's time through the API.

    python benchmarks/bench_ui.py [--sessions 10]

Starts `plannum ui` on a free port in a throw-away data directory, opens N sessions with
gradio_client (each answers the company questions and rates the first maturity dimension, so
its radar is drawn), then prints the server's resident memory (VmRSS, VmHWM) and the median time
of a turn as the API sees it. The browser's own figures (page ready, reply seen) come from
tests/test_browser.py (tests/artifacts/browser-figures.json).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ANSWERS = [
    "Armoires Lavoie",
    "fabrication d'armoires",
    "35",
    "Estrie",
    "oui",
    "septembre 2025",
    "Concevoir et livrer des armoires sur mesure",
    "Croître auprès des entrepreneurs",
    "Augmenter les ventes aux entrepreneurs de 15 % d'ici décembre 2027",
    "Fiabiliser les livraisons",
    "Livrer 95 % des commandes à la date promise d'ici juin 2027",
    "2",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def main() -> None:
    from gradio_client import Client

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="plannum-bench-ui-") as tmp:
        env = {**os.environ, "PLANNUM_DATA_DIR": tmp}
        cli = [sys.executable, "-m", "plannum_assistant"]
        subprocess.run([*cli, "index"], env=env, check=True, capture_output=True)
        server = subprocess.Popen([*cli, "ui", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            idle = _memory_mb(server.pid)
            turns = []
            clients = [Client(f"http://127.0.0.1:{port}/", verbose=False) for _ in range(args.sessions)]
            for client in clients:
                client.predict("fr", api_name="/language")
                for answer in ANSWERS:
                    started = time.perf_counter()
                    client.predict(answer, api_name="/send")
                    turns.append(time.perf_counter() - started)
            loaded = _memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"server idle: RSS {idle['VmRSS']:.0f} MB")
    print(f"{args.sessions} open sessions: RSS {loaded['VmRSS']:.0f} MB, peak {loaded['VmHWM']:.0f} MB")
    print(
        f"API turn (gradio_client, offline engine): median {statistics.median(turns) * 1000:.0f} ms, "
        f"max {max(turns) * 1000:.0f} ms over {len(turns)} turns"
    )


if __name__ == "__main__":
    main()
