"""Interview benchmark: offline reply latency, a full scripted interview cold, LLM calls per turn.

    python benchmarks/bench_interview.py

- Offline engine: latency of each reply over the French example script (warm, in process).
- Cold: `plannum interview --script examples/interview-fr.yaml` as a new process, plan included.
- LLM engine: the same interview against a scripted OpenAI-compatible server on 127.0.0.1 that
  answers every question correctly (it echoes the message as the current topic's value), to count
  model calls per user turn and measure prompt size (characters; tokens estimated as chars / 4,
  since no tokenizer file can be downloaded here).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

from bench_retrieval import _child, _percentile  # same folder: shared timing helpers

from plannum_assistant.assistant import Assistant
from plannum_assistant.conversation import Conversation
from plannum_assistant.errors import InterviewError
from plannum_assistant.files import load_model
from plannum_assistant.interview import Turn
from plannum_assistant.scripted import InterviewScriptFile, _answer_topics
from plannum_assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "interview-fr.yaml"
TODAY = date(2026, 11, 26)


class _Timed(Conversation):
    latencies: list[float]

    def send(self, text: str) -> Turn:
        started = time.perf_counter()
        turn = super().send(text)
        self.latencies.append((time.perf_counter() - started) * 1000)
        return turn


class _EchoModel(BaseHTTPRequestHandler):
    """Answers the current topic with the user's message: a perfect, predictable model."""

    prompts: ClassVar[list[int]] = []  # prompt sizes (characters), one per call

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = body["messages"][-1]["content"]
        self.prompts.append(sum(len(m["content"]) for m in body["messages"]))
        topic = re.search(r"(?:Sujet en cours|Current topic) : ?(\S+)|Current topic: (\S+)", user)
        current = next(g for g in topic.groups() if g) if topic else "-"
        message = user.split("<<<MESSAGE\n", 1)[1].rsplit("\nMESSAGE>>>", 1)[0]
        fields = [] if current == "-" else [{"topic": current, "value": message, "evidence": message}]
        content = json.dumps({"fields": fields, "next_question": "Et ensuite ?"})
        payload = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "echo",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


def _run(assistant: Assistant) -> tuple[list[float], list[str]]:
    """Reply latencies (ms) and, per reply, the engine that produced it."""
    script = load_model(SCRIPT, InterviewScriptFile, InterviewError)
    engine = assistant.engine(TODAY)
    started, _ = _Timed.start(assistant.sessions, engine, script.language)
    assert isinstance(started, _Timed)
    conversation = started
    conversation.latencies = []
    _answer_topics(conversation, script.answers or {}, script.language)
    engines = [
        str(t["engine"]) for t in assistant.sessions.transcript(conversation.session_id)[1:] if t["role"] == "assistant"
    ]
    return conversation.latencies, engines


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="plannum-bench-") as tmp:
        env = {**os.environ, "PLANNUM_DATA_DIR": tmp}
        cli = [sys.executable, "-m", "plannum_assistant"]
        _child([*cli, "index"], env)
        cold = [
            _child([*cli, "interview", "--script", str(SCRIPT), "--out", f"{tmp}/out", "--today", "2026-11-26"], env)
            for _ in range(3)
        ]

        offline = Assistant(Settings(data_dir=Path(tmp)))
        _run(offline)  # warm-up
        latencies, _ = _run(offline)

        server = HTTPServer(("127.0.0.1", 0), _EchoModel)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        llm = Assistant(Settings(data_dir=Path(tmp) / "llm", llm_base_url=url, llm_model="echo"))
        llm_latencies, engines = _run(llm)
        server.shutdown()

    turns = len(llm_latencies)
    calls = len(_EchoModel.prompts)
    model_turns = engines.count("llm")
    figures = {
        "offline_reply_ms_median": round(statistics.median(latencies), 2),
        "offline_reply_ms_p95": round(_percentile(latencies, 0.95), 2),
        "offline_turns": len(latencies),
        "cold_scripted_interview_to_plan_s_median": round(statistics.median(t for t, _ in cold), 2),
        "cold_peak_rss_mb": round(max(r for _, r in cold)),
        "llm_user_turns": turns,
        "llm_model_calls": calls,
        "llm_turns_answered_by_the_model": model_turns,
        "llm_calls_per_model_turn": round(calls / model_turns, 2) if model_turns else None,
        "llm_turns_without_call": turns - model_turns,  # skips and yes/no checkpoints
        "llm_prompt_chars_median": round(statistics.median(_EchoModel.prompts)),
        "llm_prompt_tokens_est_median": round(statistics.median(_EchoModel.prompts) / 4),
        "llm_reply_ms_median (local echo server)": round(statistics.median(llm_latencies), 1),
    }
    for name, value in figures.items():
        print(f"{name:<48}{value}")


if __name__ == "__main__":
    main()
