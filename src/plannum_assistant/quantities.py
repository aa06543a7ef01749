"""Quantities as owners say them: "about 2", "une trentaine", "entre 40 et 50", "3 plus moi",
"2 à temps plein pis 3 à temps partiel", "half a million", "un an et demi", "8 sur 10".

One reader finds the quantities in a folded answer (digits, number words and their compounds,
approximations, the people answering); the parsers of :mod:`.parsing` decide what to make of
them (a range gives its middle, parts add up, seasons give the peak, else the first one counts).
Every word is in ``knowledge/parsing.yaml``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parsing import ParsingWords

_DIGITS = (
    r"\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?![\d,])"
    r"|\d+(?:[.,]\d+)?"
)


@dataclass(frozen=True)
class Found:
    value: float
    start: int
    end: int


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _number(digits: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?", digits):
        return float(re.sub(r"[  ]", "", digits).replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        return float(digits.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # "150.000 €": the dot groups thousands in Europe
        return float(digits.replace(".", ""))
    return float(digits.replace(",", "."))


def quantities(text: str, words: ParsingWords) -> list[Found]:
    """Every quantity in a folded answer, in order: digits, number words (compounds add up:
    "vingt-cinq", "twenty five"), approximations ("une trentaine", "a dozen") and the people named
    ("moi", "my wife": one each)."""
    number_words = dict(words.numbers.items())
    approx = dict(words.approximately.items())
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(value: float, start: int, end: int) -> None:
        found.append(Found(value, start, end))
        taken.append((start, end))

    ones = _alternatives([w for w, v in number_words.items() if v == 1])  # "une trentaine", "a dozen"
    for match in re.finditer(rf"(?<![\w'])(?:(?:{ones})\s+)?({_alternatives(list(approx))})(?![\w])", text):
        add(approx[match[1]], *match.span())
    for match in re.finditer(_DIGITS, text):
        if free(*match.span()):
            add(_number(match[0]), *match.span())
    # Number words: the longest run of them ("soixante-dix", "twenty five", "quatre-vingts").
    names = _alternatives([w for w in number_words if w not in ("a", "an")])
    for match in re.finditer(rf"(?<![\w'])((?:{names})(?:[- ](?:{names}))*)(?![\w])", text):
        if not free(*match.span()):
            continue
        phrase = match[1]
        value = number_words.get(phrase)
        parts = re.split(r"[- ]", phrase)
        if value is None and len(parts) == 2 and all(p in number_words for p in parts):
            low, high = number_words[parts[0]], number_words[parts[1]]
            if low < high:  # "deux-trois ans", "two three": a range, not "vingt-cinq"
                cut = match.start() + len(parts[0])
                add(low, match.start(), cut)
                add(high, cut + 1, match.end())
                continue
        if value is None and all(p in number_words for p in parts):
            value = sum(number_words[p] for p in parts)
        if value is not None:
            add(value, *match.span())
    for match in re.finditer(rf"(?<![\w'])({_alternatives(words.people.all())})(?![\w'])", text):
        if free(*match.span()):
            add(1, *match.span())
    return sorted(found, key=lambda f: f.start)


def ranged(text: str, found: list[Found], words: ParsingWords) -> tuple[Found, Found] | None:
    """Two quantities that make a range: "entre 40 et 50", "10-15k", "two to three years"."""
    to = _alternatives(words.range_to.all())
    for first, second in itertools.pairwise(found):
        between = text[first.end : second.start]
        if re.fullmatch(rf"\s*(?:-|–|(?:{to}))?\s*", between) and (between.strip() or between == ""):
            before = text[: first.start]
            if re.search(rf"(?:{_alternatives(words.between.all())})\s*$", before) or between.strip() in ("-", "–", ""):
                return first, second
            if between.strip() in words.range_to.all() and first.value < second.value:
                return first, second
    return None


def headcount(text: str, words: ParsingWords) -> float | None:
    """How many people: a range gives its middle, seasons the peak, parts ("full-time", "plus me")
    add up; else the first quantity ("1, on a Sage 50…" is 1)."""
    found = quantities(text, words)
    if not found:
        return None
    if pair := ranged(text, found, words):
        return (pair[0].value + pair[1].value) / 2
    if len(found) >= 2 and re.search(rf"(?<![\w'])(?:{_alternatives(words.seasons.all())})", text):
        return max(f.value for f in found)
    adds = _alternatives(words.adds_up.all())
    if len(found) >= 2 and re.search(rf"(?<![\w])(?:{adds})(?![\w])", text):
        return sum(f.value for f in found)
    people = set(words.people.all())
    if len(found) >= 2 and all(text[f.start : f.end] in people for f in found):  # "moi et ma femme"
        return float(len(found))
    return found[0].value
