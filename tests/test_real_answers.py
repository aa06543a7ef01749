"""The parsers against 235 answers as owners actually type them (FR/EN), written by a helper who saw
no parser (tests/data/answers.yaml): yes/no, counts, the 0-5 scale, amounts, dates, horizons and
non-answers. `expected: null` means the answer must be asked again, never guessed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from plannum_assistant.interview.commands import is_non_answer
from plannum_assistant.interview.script import load_script
from plannum_assistant.parsing import (
    AnswerError,
    is_skip,
    parse_integer,
    parse_money,
    parse_month,
    parse_months,
    parse_scale,
    parse_yes_no,
)

from .conftest import KNOWLEDGE, ROOT

TODAY = date(2026, 11, 26)
ITEMS: list[dict[str, Any]] = yaml.safe_load((ROOT / "tests" / "data" / "answers.yaml").read_text(encoding="utf-8"))
SCRIPT = load_script(KNOWLEDGE / "interview.yaml")

PARSERS: dict[str, Callable[[str], Any]] = {
    "yes_no": parse_yes_no,
    "integer": lambda text: parse_integer(text, minimum=1, maximum=100_000),
    "scale": parse_scale,
    "money": parse_money,
    "month": lambda text: parse_month(text, today=TODAY).isoformat()[:7],
    "horizon_months": parse_months,
    "skip": lambda text: is_non_answer(text, SCRIPT) or is_skip(text),
}


def test_the_set_is_large_and_in_both_languages() -> None:
    assert len(ITEMS) >= 150
    assert {i["language"] for i in ITEMS} == {"fr", "en"}
    assert set(PARSERS) == {i["kind"] for i in ITEMS}


@pytest.mark.parametrize("item", ITEMS, ids=[f"{i['kind']}:{i['text'][:40]}" for i in ITEMS])
def test_an_answer_as_owners_type_it(item: dict[str, Any]) -> None:
    try:
        got = PARSERS[item["kind"]](item["text"])
    except AnswerError:
        got = None
    assert got == item["expected"], item.get("note")


@pytest.mark.parametrize(
    ("text", "amount"),
    [("150.000 €", 150_000), ("100k-150k", 125_000), ("1.200.000 €", 1_200_000), ("2,5 M$", 2_500_000)],
)
def test_european_thousands_and_ranges_with_units_on_both_ends(text: str, amount: float) -> None:
    """Found by an outside review: the dot groups thousands in France; "100k-150k" is a range."""
    assert parse_money(text) == amount
