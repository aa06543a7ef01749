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


class ParsingWords(_Strict):
    """``knowledge/parsing.yaml``: what the answer parsers understand, and their hints."""

    version: int = Field(ge=1)
    skip: Words
    yes: Words
    no: Words
    conjunctions: Words
    numbers: WordMap
    months: WordMap
    years_ago: WordMap
    money_units: WordMap
    language_names: Words
    language_prefixes: Prefixes
    hints: Hints

    @model_validator(mode="after")
    def _sane_numbers(self) -> ParsingWords:
        for field, low, high in (("months", 1, 12), ("years_ago", 0, 100), ("money_units", 1, 10**9)):
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
    known = _words(words)
    cleaned = _clean(text)
    first = re.split(r"[\s,;:!]+", cleaned, maxsplit=1)[0] if cleaned else ""
    if cleaned in known.yes or first in known.yes:
        return True
    if cleaned in known.no or first in known.no:
        return False
    raise AnswerError(known.hints.yes_no.hint())


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
    known = _words(words)
    cleaned = _clean(text).replace("\u00a0", " ")
    match = re.search(r"\d[\d ]*(?:[.,]\d+)?", cleaned)
    if match:
        value = int(float(match.group().replace(" ", "").replace(",", ".")))
    elif (number := known.numbers.get(cleaned)) is not None:
        value = number
    else:
        raise AnswerError(known.hints.number.hint())
    if not minimum <= value <= maximum:
        raise AnswerError(known.hints.number_range.hint(minimum=minimum, maximum=maximum))
    return value


def parse_money(text: str, *, words: ParsingWords | None = None) -> float:
    """ "150 k$", "$150k", "150 000 $", "1,5 M$", "80k", "150000" → dollars."""
    known = _words(words)
    cleaned = _clean(text).replace("\u00a0", " ").replace("$", " ").replace("cad", " ")
    units = "|".join(map(re.escape, sorted({unit for unit, _ in known.money_units.items()}, key=len, reverse=True)))
    match = re.search(rf"(\d[\d ,.]*)\s*({units})?\b", cleaned)
    if not match:
        raise AnswerError(known.hints.money.hint())
    digits, unit = match.group(1).strip(), match.group(2)
    if re.fullmatch(r"\d{1,3}([ ,]\d{3})+([.]\d+)?", digits):  # 150 000 / 150,000 thousands separators
        number = float(re.sub(r"[ ,]", "", digits))
    else:
        number = float(digits.replace(" ", "").replace(",", "."))
    factor = known.money_units.get(unit) if unit else None
    return number * (factor or 1)


def parse_scale(text: str, *, words: ParsingWords | None = None) -> int:
    cleaned = _clean(text)
    match = re.fullmatch(r"([0-5])(?:\s*/\s*5)?(?:\s.*)?", cleaned)
    if not match:
        raise AnswerError(_words(words).hints.scale.hint())
    return int(match.group(1))


def parse_month(text: str, *, today: date, words: ParsingWords | None = None) -> date:
    """ "2025-03", "2025-03-15", "mars 2025", "March 2025", "03/2025", "l'an passé", "last year", "2024"."""
    known = _words(words)
    cleaned = _clean(text)
    if match := re.search(r"\b(20\d{2}|19\d{2})-(\d{1,2})(?:-(\d{1,2}))?\b", cleaned):
        return _date(int(match[1]), int(match[2]), int(match[3] or 1), known)
    if match := re.search(r"\b(\d{1,2})/(20\d{2})\b", cleaned):
        return _date(int(match[2]), int(match[1]), 1, known)
    if (match := re.search(r"\b([a-z]+)\.?\s+(?:de\s+|d')?(20\d{2}|19\d{2})\b", cleaned)) and (
        month := known.months.get(match[1])
    ) is not None:
        return _date(int(match[2]), month, 1, known)
    for phrase, years in known.years_ago.items():
        if phrase in cleaned:
            return date(today.year - years, 1, 1)
    if match := re.fullmatch(r"(20\d{2}|19\d{2})", cleaned):
        return date(int(match[1]), 1, 1)
    raise AnswerError(known.hints.date.hint())


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
