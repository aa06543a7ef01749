"""The web app end to end in a real browser (issue 12): Playwright driving Debian's Chromium.

A French owner completes the interview on the offline engine, reviews and approves the plan and
downloads the DOCX; an English company without a strategic plan sees the gate; two people at once
never see each other's answers. Screenshots and timings go to tests/artifacts/ (figures, not
assertions). `.ci/run` installs Chromium; without it these tests are skipped with the reason.
"""

from __future__ import annotations

import json
import socket
import statistics
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from plannum_assistant.assistant import Assistant
from plannum_assistant.web import WebApp
from plannum_assistant.web.app import serve

from .test_web import FRENCH

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (bash .ci/run installs it)")


@pytest.fixture(scope="module")
def url(assistant: Assistant) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    page = serve(WebApp(assistant, lambda: date(2026, 11, 26)), "127.0.0.1", port, None, block=False)
    yield f"http://127.0.0.1:{port}/"
    page.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


def _open(browser: Any, url: str) -> tuple[Any, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    started = time.perf_counter()
    page.goto(url)
    page.locator("#chat [data-testid='bot']").first.wait_for(timeout=30_000)
    return page, time.perf_counter() - started


def _bots(page: Any) -> int:
    return int(page.locator("#chat [data-testid='bot']").count())


def _wait_reply(page: Any, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll(\"#chat [data-testid='bot']\").length > n", arg=before, timeout=30_000
    )


def _say(page: Any, text: str) -> float:
    before = _bots(page)
    started = time.perf_counter()
    page.locator("#answer textarea").fill(text)
    page.locator("#send").click()
    _wait_reply(page, before)
    return time.perf_counter() - started


def _choose(page: Any, label: str) -> None:
    before = _bots(page)
    page.locator("#choices label", has_text=label).first.click()
    _wait_reply(page, before)


def _fill(page: Any, element: str, text: str) -> None:
    page.locator(f"#{element} textarea, #{element} input").first.fill(text)


def test_a_french_owner_goes_from_interview_to_an_approved_plan_and_its_docx(
    browser: Any, url: str, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, ready = _open(browser, url)
    latencies = []
    for n, answer in enumerate(FRENCH[:-1]):
        if n == 4:
            _choose(page, "oui")  # the quick reply for "do you have a strategic plan?"
        elif n == 11:
            _choose(page, "2 — ")  # the first maturity level, from the 0-5 scale with descriptions
        else:
            latencies.append(_say(page, answer))
        if n == 15:
            page.screenshot(path=str(ARTIFACTS / "interview.png"))
    assert "Armoires Lavoie" in page.locator("#company").inner_text()
    _say(page, FRENCH[-1])
    page.wait_for_function("() => document.querySelector('#banner').innerText.includes('BROUILLON')", timeout=30_000)
    assert "Plan d'action" in page.content()
    page.screenshot(path=str(ARTIFACTS / "plan.png"), full_page=True)
    _fill(page, "reviewer", "Marie Roy")
    _fill(page, "item", "activity:inventory-management:1")
    page.locator("#action label", has_text="modifier").click()
    _fill(page, "change", "budget_min=99999999")
    page.locator("#apply").click()
    page.wait_for_function("() => document.querySelector('#review-note').innerText.includes('budget')", timeout=30_000)
    page.locator("#accept-all").click()
    page.wait_for_function("() => !document.querySelector('#items').innerText.includes('proposé')", timeout=30_000)
    page.locator("#action label", has_text="approuver le plan").click()
    page.locator("#apply").click()
    page.wait_for_function("() => document.querySelector('#banner').innerText.includes('Approuvé par')", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    page.locator("#download-docx").click()
    link = page.locator("#document a").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "plan.docx"
    download.value.save_as(saved)
    assert Document(str(saved)).sections[0].header.paragraphs[0].text.startswith("Approuvé par Marie Roy")
    figures: dict[str, object] = {"page_ready_s": round(ready, 2)}
    figures["reply_median_ms"] = round(statistics.median(latencies) * 1000)
    figures["reply_max_ms"] = round(max(latencies) * 1000)
    figures["replies_ms"] = [round(x * 1000) for x in latencies]
    (ARTIFACTS / "browser-figures.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nbrowser figures: {figures}")
    page.close()


def test_an_english_company_without_a_strategic_plan_sees_the_gate(browser: Any, url: str) -> None:
    page, _ = _open(browser, url + "?lang=en")
    assert "What is your company's name" in page.locator("#chat").inner_text()
    # The whole page is in English: the labels follow the load in a chained event, so wait for them.
    page.wait_for_function("() => document.querySelector('#send').innerText.trim() === 'Send'", timeout=30_000)
    assert page.locator("#language input[value='en']").is_checked()
    for answer in ("Harbour Dental Clinic", "dental clinic", "14", "Halifax"):
        _say(page, answer)
    _choose(page, "no")
    assert "Minute papillon" in page.locator("#company").inner_text()
    page.screenshot(path=str(ARTIFACTS / "gate.png"), full_page=False)
    page.close()


def test_two_people_at_once_never_see_each_others_answers(browser: Any, url: str) -> None:
    first, _ = _open(browser, url)
    second, _ = _open(browser, url + "?lang=en")
    _say(first, "Boulangerie Tremblay")
    _say(second, "Lakeside Fine Foods")
    assert "Lakeside" not in first.locator("#chat").inner_text()
    assert "Tremblay" not in second.locator("#chat").inner_text()
    assert first.locator("#session-id input, #session-id textarea").first.input_value() != (
        second.locator("#session-id input, #session-id textarea").first.input_value()
    )
    first.close()
    second.close()
