"""Deterministic parsing of interview answers, French and English.

Each parser takes the user's raw text and returns a value or raises
:class:`AnswerError` with a short hint in the user's language. No model, no
network: "150 k$", "$150k", "150 000 $" are all 150000; "mars 2025",
"2025-03", "l'an passé" are dates; "oui", "yes", "ouais" are True.

The words the parsers understand and the hints they give are data
(``knowledge/parsing.yaml``, :class:`ParsingWords`): a caller that has
:class:`~plannum_assistant.settings.Settings` passes
``load_parsing(settings.parsing_file)``; without it, the bundled file is read
once, on first use.
"""

from __future__ import annotations

import re
import string
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .errors import KnowledgeError
from .files import load_model
from .quantities import headcount, quantities, ranged
from .settings import repository_path
from .smart import fold
from .vocabulary import Language


class AnswerError(ValueError):
    """The answer does not fit the question; ``hint`` says what is expected, per language."""

    def __init__(self, hint: dict[Language, str]) -> None:
        super().__init__(hint[Language.EN])
        self.hint = hint


# --- knowledge/parsing.yaml -------------------------------------------------------------

# A word or phrase as the parsers compare it: trimmed, lower-case, without accents.
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(fold)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class Words(_Strict):
    """Words a user may type, in French and in English; either language matches."""

    fr: list[Word] = Field(min_length=1)
    en: list[Word] = Field(min_length=1)

    def __contains__(self, word: object) -> bool:
        return word in self.fr or word in self.en

    def all(self) -> list[str]:
        return [*self.fr, *self.en]


class WordMap(_Strict):
    """Words that stand for a number (months, "douze", "l'an passé"...), French and English."""

    fr: dict[Word, int] = Field(min_length=1)
    en: dict[Word, int] = Field(min_length=1)

    def get(self, word: str) -> int | None:
        return self.fr.get(word, self.en.get(word))

    def items(self) -> list[tuple[str, int]]:
        return [*self.fr.items(), *self.en.items()]


class Sentence(_Strict):
    """A hint in both languages, with the same ``{placeholders}`` in each."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _same_placeholders(self) -> Sentence:
        if placeholders(self.fr) != placeholders(self.en):
            raise ValueError(f"placeholders differ between fr and en: {self.fr!r} / {self.en!r}")
        return self

    def hint(self, **params: object) -> dict[Language, str]:
        return {Language.FR: self.fr.format(**params), Language.EN: self.en.format(**params)}


class Prefixes(_Strict):
    fr: Word
    en: Word


class Hints(_Strict):
    yes_no: Sentence
    list: Sentence
    number: Sentence
    number_range: Sentence
    money: Sentence
    scale: Sentence
    date: Sentence
    no_such_date: Sentence
    language: Sentence


class LimitSentences(_Strict):
    """What to say when an answer breaks one of the intake's limits (:mod:`.interview.limits`)."""

    text_too_long: Sentence
    item_too_long: Sentence
    too_many_items: Sentence
    too_many_pains: Sentence
    amount_too_large: Sentence
    reopened: Sentence


class ParsingWords(_Strict):
    """``knowledge/parsing.yaml``: what the answer parsers understand, and their hints."""

    version: int = Field(ge=1)
    skip: Words
    yes: Words
    no: Words
    no_phrases: Words
    conjunctions: Words
    numbers: WordMap
    approximately: WordMap
    people: Words
    adds_up: Words
    seasons: Words
    between: Words
    range_to: Words
    half: Words
    periods: WordMap
    period_phrases: WordMap
    no_money: Words
    out_of: Words
    last: Words
    this_month: Words
    last_month: Words
    ago: Words
    months: WordMap
    years_ago: WordMap
    money_units: WordMap
    language_names: Words
    language_prefixes: Prefixes
    hints: Hints
    limits: LimitSentences

    @model_validator(mode="after")
    def _sane_numbers(self) -> ParsingWords:
        limits = (("months", 1, 12), ("years_ago", 0, 100), ("money_units", 1, 10**9), ("periods", 1, 1200))
        for field, low, high in limits:
            bad = [word for word, value in getattr(self, field).items() if not low <= value <= high]
            if bad:
                raise ValueError(f"{field}: {', '.join(bad)}: expected a value from {low} to {high}")
        return self


@cache
def load_parsing(path: Path) -> ParsingWords:
    """Read and validate a parsing file (once per path: the parsers call it on every answer)."""
    return load_model(path, ParsingWords, KnowledgeError)


def bundled_parsing() -> ParsingWords:
    """The default ``knowledge/parsing.yaml``, for callers given no :class:`ParsingWords`."""
    return load_parsing(repository_path("knowledge") / "parsing.yaml")


def _words(words: ParsingWords | None) -> ParsingWords:
    return words if words is not None else bundled_parsing()


# --- the parsers ------------------------------------------------------------------------


def _clean(text: str) -> str:
    return fold(text).strip().strip(".!").strip()


def is_skip(text: str, *, words: ParsingWords | None = None) -> bool:
    return _clean(text) in _words(words).skip


def parse_yes_no(text: str, *, words: ParsingWords | None = None) -> bool:
    """ "oui", "ben oui", "we have one" → True; "non", "not really, we never wrote it down", "it's in my
    head" → False; "oui et non", "je sais pas trop" → not an answer (asked again)."""
    known = _words(words)
    cleaned = _clean(text)
    if any(phrase in cleaned for phrase in known.no_phrases.all()):
        return False
    first = re.split(r"[\s,;:!]+", cleaned, maxsplit=1)[0] if cleaned else ""
    said_yes = cleaned in known.yes or first in known.yes or _starts_with(cleaned, known.yes.all())
    said_no = cleaned in known.no or first in known.no or _starts_with(cleaned, known.no.all())
    joined = _any(known.range_to.all())
    mixed = re.fullmatch(rf"({_any(known.yes.all())})\s+(?:{joined})\s+({_any(known.no.all())})", cleaned)
    if (said_yes and said_no) or mixed:
        raise AnswerError(known.hints.yes_no.hint())  # "oui et non"
    if said_yes:
        return True
    if said_no:
        return False
    raise AnswerError(known.hints.yes_no.hint())


def _any(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _starts_with(cleaned: str, phrases: list[str]) -> bool:
    """The answer starts with one of these phrases, as whole words ("ben oui, on en a un")."""
    return any(re.match(rf"{re.escape(p)}(?![\w'])", cleaned) for p in phrases if " " in p or "'" in p)


def parse_list(text: str, *, commas: bool = True, words: ParsingWords | None = None) -> list[str]:
    """Lines, bullets and semicolons separate items; so do commas (unless ``commas=False``).

    A final "et"/"and" separates only in an enumeration of short names ("CRM, ERP et Excel",
    "Sage 50 and Excel"), never inside a sentence ("make the warehouse reliable and traceable").
    """
    known = _words(words)
    text = text.strip()
    if not text:
        raise AnswerError(known.hints.list.hint())
    lines = [re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s*", "", line) for line in re.split(r"[\n;]+", text)]
    items = [line.strip() for line in lines if line.strip()]
    if commas and len(items) == 1:
        parts = [part.strip() for part in items[0].split(",") if part.strip()]
        conjunctions = "|".join(map(re.escape, known.conjunctions.all()))
        last = re.split(rf"\s+(?:{conjunctions})\s+", parts[-1])
        if len(last) == 2 and all(len(p.split()) <= 3 for p in [*parts[:-1], *last]):
            parts = [*parts[:-1], *last]
        items = parts
    return [item.rstrip(".").strip() for item in items if item.strip(" .")]


def parse_integer(text: str, *, minimum: int = 0, maximum: int = 10**9, words: ParsingWords | None = None) -> int:
    """A count as owners say it: "about 2", "une trentaine", "entre 40 et 50" (45), "3 plus moi" (4),
    "2 à temps plein pis 3 à temps partiel" (5), "une vingtaine l'été, 8 l'hiver" (20)."""
    known = _words(words)
    value = headcount(_clean(text).replace("\u00a0", " "), known)
    if value is None:
        raise AnswerError(known.hints.number.hint())
    return _in_range(round(value), minimum, maximum, known)


def _in_range(value: int, minimum: int, maximum: int, known: ParsingWords) -> int:
    if not minimum <= value <= maximum:
        raise AnswerError(known.hints.number_range.hint(minimum=minimum, maximum=maximum))
    return value


def parse_months(text: str, *, minimum: int = 1, maximum: int = 1200, words: ParsingWords | None = None) -> int:
    """A duration in months: "2 ans" (24), "18 mois", "un an et demi" (18), "next year" (12), "3-5 years"
    (48), "a decade" (120); a bare number is months."""
    known = _words(words)
    cleaned = _clean(text)
    for phrase, months in sorted(known.period_phrases.items(), key=lambda p: -len(p[0])):
        if phrase in cleaned:
            return _in_range(months, minimum, maximum, known)
    found = quantities(cleaned, known)
    unit = re.search(rf"(?<![\w])({_any([u for u, _ in known.periods.items()])})(?![\w])", cleaned)
    factor = (known.periods.get(unit[1]) or 1) if unit else 1
    half = re.search(rf"(?<![\w])(?:{_any(known.half.all())})(?![\w])", cleaned)
    if not found:
        if unit and half:  # "a year and a half"
            return _in_range(round(1.5 * factor), minimum, maximum, known)
        raise AnswerError(known.hints.number.hint())  # "quelques années": how many?
    pair = ranged(cleaned, found, known)
    value = (pair[0].value + pair[1].value) / 2 if pair else found[0].value
    if half:
        value += 0.5
    return _in_range(round(value * factor), minimum, maximum, known)


def parse_money(text: str, *, words: ParsingWords | None = None) -> float:
    """ "150 k$", "$150k", "150 000 $", "1,5 M$", "80k", "about 30 grand", "half a million",
    "entre 40 et 60 mille" (50 000), "10-15k" (12 500), "aucun budget" (0) → an amount."""
    known = _words(words)
    cleaned = _clean(text).replace("\u00a0", " ")
    cleaned = re.sub(r"[$€£]|\bcad\b", " ", cleaned)
    units = _any([unit for unit, _ in known.money_units.items()])
    half = _any(known.half.all())
    # "100k-150k", "1 M à 2 M": a unit on both ends of a range is the unit of the range.
    to = _any(["-", "–", *known.range_to.all()])
    cleaned = re.sub(rf"(\d)\s*({units})\s*((?:{to}))\s*(?=\d[\d.,\s]*\s*\2(?![\w]))", r"\1 \3 ", cleaned)
    found = quantities(cleaned, known)
    if not found:
        if any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", cleaned) for w in known.no_money.all()):
            return 0.0
        if match := re.search(rf"(?<![\w])(?:({half})\s*)?({units})(?![\w])", cleaned):  # "half a million"
            return float(known.money_units.get(match[2]) or 1) * (0.5 if match[1] else 1)
        raise AnswerError(known.hints.money.hint())
    pair = ranged(cleaned, found, known)
    first, last = pair if pair else (found[0], found[0])
    unit = re.compile(rf"\s*({units})(?![\w])").match(cleaned, last.end)
    factor = float(known.money_units.get(unit[1]) or 1) if unit else 1.0
    return ((first.value + last.value) / 2 if pair else first.value) * factor


def parse_scale(text: str, *, words: ParsingWords | None = None) -> int:
    """A level from 0 to 5: "2", "genre 2", "niveau 4", "a solid 3", "cinq", "3/5", "entre 2 et 3" (2),
    "2.5" (2), "8 sur 10" (4), "none at all" (0)."""
    known = _words(words)
    cleaned = _clean(text)
    if text.strip().endswith("?"):
        raise AnswerError(known.hints.scale.hint())  # a question back ("what's the difference?"), not a level
    found = [f for f in quantities(cleaned, known) if cleaned[f.start : f.end] not in known.people.all()]
    if not found:
        if any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", cleaned) for w in known.no_money.all()):
            return 0  # "none at all", "zéro"
        raise AnswerError(known.hints.scale.hint())
    value = found[0].value
    if len(found) >= 2 and found[1].value > 5:
        between = cleaned[found[0].end : found[1].start]
        if re.fullmatch(rf"\s*(?:/|{_any(known.out_of.all())})\s*", between):
            value = value * 5 / found[1].value  # "8 sur 10"
    if not 0 <= value <= 5:
        raise AnswerError(known.hints.scale.hint())
    return int(value)


def parse_month(text: str, *, today: date, words: ParsingWords | None = None) -> date:
    """ "2025-03", "mars 2025", "March 3rd, 2025", "03/2025", "Jan '24", "janvier dernier", "en septembre"
    (the last one that has come), "last month", "il y a six mois", "last year in June", "2024"."""
    known = _words(words)
    cleaned = _clean(text)
    if match := re.search(r"\b(20\d{2}|19\d{2})-(\d{1,2})(?:-(\d{1,2}))?\b", cleaned):
        return _date(int(match[1]), int(match[2]), int(match[3] or 1), known)
    if match := re.search(r"\b(\d{1,2})/(20\d{2})\b", cleaned):
        return _date(int(match[2]), int(match[1]), 1, known)
    months = _any([m for m, _ in known.months.items()])
    day = r"(?:\d{1,2}(?:st|nd|rd|th|er)?,?\s+)?"
    if match := re.search(rf"(?<![\w])({months})\.?\s+{day}(?:de\s+|d')?(20\d{{2}}|19\d{{2}})\b", cleaned):
        return _date(int(match[2]), known.months.get(match[1]) or 1, 1, known)
    if match := re.search(rf"(?<![\w])({months})\.?\s+'(\d{{2}})\b", cleaned):
        return _date(2000 + int(match[2]), known.months.get(match[1]) or 1, 1, known)
    if any(p in cleaned for p in known.this_month.all()):
        return date(today.year, today.month, 1)
    if any(p in cleaned for p in known.last_month.all()):
        return _months_before(today, 1)
    said_ago = any(re.search(rf"(?<![\w]){re.escape(a)}(?![\w])", cleaned) for a in known.ago.all())
    if said_ago and (found := quantities(cleaned, known)):
        unit = re.search(rf"(?<![\w])({_any([u for u, _ in known.periods.items()])})(?![\w])", cleaned)
        per = (known.periods.get(unit[1]) or 1) if unit else 12
        return _months_before(today, round(found[0].value * per))
    back = max((years for phrase, years in known.years_ago.items() if phrase in cleaned), default=None)
    if match := re.search(rf"(?<![\w])({months})(?![\w])", cleaned):
        month = known.months.get(match[1]) or 1
        if back is not None:  # "last year in June", "en mars de l'année dernière"
            return date(today.year - back, month, 1)
        # "janvier dernier", "en septembre": the last such month that has come.
        year = today.year if month <= today.month else today.year - 1
        return date(year, month, 1)
    if back is not None:
        return date(today.year - back, 1, 1)
    if match := re.fullmatch(r"(20\d{2}|19\d{2})", cleaned):
        return date(int(match[1]), 1, 1)
    raise AnswerError(known.hints.date.hint())


def _months_before(today: date, months: int) -> date:
    total = today.year * 12 + today.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


def _date(year: int, month: int, day: int, known: ParsingWords) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise AnswerError(known.hints.no_such_date.hint(date=f"{year}-{month:02d}-{day:02d}")) from None


def parse_language(text: str, *, words: ParsingWords | None = None) -> Language:
    known = _words(words)
    cleaned = _clean(text)
    if cleaned in known.language_names.fr or cleaned.startswith(known.language_prefixes.fr):
        return Language.FR
    if cleaned in known.language_names.en or cleaned.startswith(known.language_prefixes.en):
        return Language.EN
    raise AnswerError(known.hints.language.hint())
