"""SMART checks on objective text, in French and English, and the deadline an objective sets.

Only what text can show is detected: *specific* (a concrete, non-trivial
statement), *measurable* (a quantity in digits or in words, a threshold, a
frequency applied to every case), *time-bound* (a date, a year, a deadline, a
recurring period) and the deadline itself. Ambitious and realistic are
judgements for the people who own the plan, so they are not guessed here.
Every word list lives in ``knowledge/smart.yaml``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .errors import KnowledgeError
from .files import load_model
from .settings import repository_path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Words(_Strict):
    fr: list[str]
    en: list[str]

    @property
    def all(self) -> list[str]:
        return [*self.fr, *self.en]


class SmartRules(_Strict):
    """``knowledge/smart.yaml``."""

    version: int = Field(ge=1)
    months: dict[str, int]
    time_words: _Words
    deadline_cues: _Words
    deadline_targets: _Words
    period_units: dict[str, float]
    turnaround_units: _Words
    number_words: _Words
    article_numbers: _Words
    measure_units: _Words
    vague: _Words
    stopwords: _Words
    placeholders: list[str]
    placeholder_prefixes: list[str]
    number_values: dict[str, int]
    before_words: _Words
    end_words: _Words
    relative_cues: _Words
    quarter_words: _Words
    half_words: _Words
    mid_words: _Words
    code_words: _Words
    ordinal_values: dict[str, int]
    range_from: _Words
    range_to: _Words
    target_units: _Words


def load_smart_rules(path: Path) -> SmartRules:
    return load_model(path, SmartRules, KnowledgeError)


@cache
def bundled_rules() -> SmartRules:
    """The default ``knowledge/smart.yaml`` (read once)."""
    return load_smart_rules(repository_path("knowledge") / "smart.yaml")


class SmartAssessment(BaseModel):
    """Which text-detectable SMART criteria an objective meets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specific: bool
    measurable: bool
    time_bound: bool

    @property
    def failing(self) -> list[str]:
        """Names of the failing criteria, in S-M-T order."""
        return [name for name in ("specific", "measurable", "time_bound") if not getattr(self, name)]


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Février' and 'fevrier' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("’", "'")


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(fold(w)) for w in sorted(set(words), key=len, reverse=True))


_YEAR = r"(?<![\d:.,/])(20[0-9]{2})(?![\d%$€])"
_ISO = r"\b(20\d{2})-(\d{2})(?:-(\d{2}))?\b"
_OF = r"(?:de |d'|of |-)?\s*"


class _Patterns:
    """The rules compiled once."""

    def __init__(self, rules: SmartRules) -> None:
        months = _alternatives(list(rules.months))
        before, end = _alternatives(rules.before_words.all), _alternatives(rules.end_words.all)
        quarters = _alternatives(rules.quarter_words.all)
        self.months = rules.months
        self.values = {fold(k): v for k, v in rules.number_values.items()}
        self.ordinals = {fold(k): v for k, v in rules.ordinal_values.items()}
        self.month_year = re.compile(rf"\b({before})?\s*(?:(?:{end})\s+)?{_OF}\b({months})\.?\s+{_OF}{_YEAR}")
        self.before_year = re.compile(rf"\b({before})\s+(?:\S+\s+)?{_YEAR}")
        self.year = re.compile(_YEAR)
        self.iso = re.compile(_ISO)
        self.quarter = re.compile(rf"\b(?:q|t)([1-4])\s*{_OF}{_YEAR}")
        ordinals = _alternatives(list(rules.ordinal_values))
        self.ordinal_quarter = re.compile(
            rf"\b({ordinals})(?:er|re|e|eme|st|nd|rd|th)?\s+(?:{quarters})\s+{_OF}(?:\S+\s+)?{_YEAR}"
        )
        halves = _alternatives(rules.half_words.all)
        self.half = re.compile(
            rf"\b(?:({ordinals})(?:er|re|e|eme|st|nd|rd|th)?\s+(?:{halves})|(?:s|h)([12]))\s+{_OF}(?:\S+\s+)?{_YEAR}"
        )
        self.mid = re.compile(rf"\b(?:{_alternatives(rules.mid_words.all)})-?\s*{_YEAR}")
        self.code = re.compile(rf"\b(?:{_alternatives(rules.code_words.all)})\s*[a-z]?\d[\d:.\-]*")
        units = _alternatives(rules.target_units.all)
        self.quantity = (
            r"(?:[$€£]\s*)?(?:\d{1,3}(?:[  .]\d{3})+|\d+(?:[.,]\d+)?)"
            rf"(?:\s*(?:%|[km]?\s*[$€£]|[km](?![a-z])|(?:{units})(?![a-z])))?"
        )
        quantity_text = rf"({self.quantity})"
        self.range = re.compile(
            rf"\b(?:{_alternatives(rules.range_from.all)})\s+{quantity_text}\s+(?:{_alternatives(rules.range_to.all)})\s+"
            + quantity_text
        )
        self.numeric = re.compile(r"\b(?:(\d{1,2})[/.])?(\d{1,2})[/.](20\d{2})\b")  # 31/12/2027, 06/2027
        self.exact_dates = (
            self.numeric,
            self.iso,
            self.quarter,
            self.ordinal_quarter,
            self.month_year,
            self.half,
            self.mid,
        )
        periods = _alternatives(list(rules.period_units))
        self.period_months = {fold(k): v for k, v in rules.period_units.items()}
        quantity = rf"(\d+|{_alternatives(list(rules.number_values))})"
        cues = _alternatives(rules.relative_cues.all)
        self.relative = re.compile(rf"\b(?:{cues})\s+(?:\S+\s+)?{quantity}\s+({periods})\b")
        self.month = re.compile(rf"\b({months})\b")
        self.time_word = re.compile(rf"(?<![\w'])({_alternatives(rules.time_words.all)})(?![\w'])")
        targets = _alternatives(rules.deadline_targets.all)
        self.deadline_cue = re.compile(
            rf"(?<![\w'])({_alternatives(rules.deadline_cues.all)})\s+(?:[\w']+\s+){{0,3}}?(?:l'|d')?({targets})(?![\w])"
        )
        self.numbers = re.compile(rf"(?<![\w'])({_alternatives(rules.number_words.all)})(?![\w'])")
        articles = _alternatives(rules.article_numbers.all)
        units = _alternatives([*rules.measure_units.all, *rules.turnaround_units.all])
        self.article_measure = re.compile(rf"(?<![\w'])({articles})\s+(?:seule?s? |single |)({units})\b")
        self.vague = {fold(w) for w in rules.vague.all}
        self.stopwords = {fold(w) for w in rules.stopwords.all}
        self.placeholders = {" ".join(fold(p).split()) for p in rules.placeholders}
        self.placeholder_prefixes = {" ".join(fold(p).split()) for p in rules.placeholder_prefixes}


_COMPILED: dict[int, tuple[SmartRules, _Patterns]] = {}


def _patterns(rules: SmartRules) -> _Patterns:
    """The rules compiled once per rules object (kept with it, so its id is never reused)."""
    cached = _COMPILED.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _COMPILED[id(rules)] = (rules, _Patterns(rules))
    return cached[1]


def is_placeholder(text: str, rules: SmartRules | None = None) -> bool:
    """A text that holds the place of an answer without being one ("À déterminer", "TBD", "-")."""
    patterns = _patterns(rules or bundled_rules())
    folded = " ".join(fold(text).split())
    if not re.search(r"[a-z0-9]", folded):
        return True
    if folded in patterns.placeholders or folded.strip(" .;:!") in patterns.placeholders:
        return True
    # "TBC with the board", "À déterminer en comité": a placeholder followed by a few words.
    words = folded.split()
    return len(words) <= 5 and any(
        " ".join(words[:n]).strip(" .;:!,") in patterns.placeholder_prefixes for n in (1, 2, 3, 4)
    )


def _date_spans(folded: str, patterns: _Patterns) -> list[tuple[int, int]]:
    """Where dates and deadline periods are, so their digits are not taken for measures."""
    spans = []
    for pattern in (*patterns.exact_dates, patterns.year):
        spans += [m.span() for m in pattern.finditer(folded)]
    spans += [m.span() for m in patterns.relative.finditer(folded)]
    return spans


def _time_bound(folded: str, patterns: _Patterns) -> bool:
    """A date, a year, a quarter, a month, a period from now, a recurring period or a named deadline.

    "within 24 hours" and "en moins d'une heure" are turnarounds (measures), not deadlines: hours and
    days are not period units.
    """
    dated = (patterns.iso, patterns.numeric, patterns.year, patterns.quarter, patterns.relative, patterns.time_word)
    if any(p.search(folded) for p in dated) or patterns.deadline_cue.search(folded):
        return True
    # "may" is also a verb: as a month it needs a year, and then the year already counts.
    return any(m[1] != "may" for m in patterns.month.finditer(folded))


def _measurable(folded: str, patterns: _Patterns) -> bool:
    text = folded
    for start, end in sorted(_date_spans(folded, patterns), reverse=True):
        text = text[:start] + " " * (end - start) + text[end:]
    if re.search(r"\d", text) or re.search(r"[$€£%]", text):
        return True
    if patterns.article_measure.search(text):
        return True
    return bool(patterns.numbers.search(text))


def assess_smart(text: str, rules: SmartRules | None = None) -> SmartAssessment:
    patterns = _patterns(rules or bundled_rules())
    if is_placeholder(text, rules):
        return SmartAssessment(specific=False, measurable=False, time_bound=False)
    folded = patterns.code.sub(" ", fold(text))
    # Specific: says *what* changes, beyond vague verbs ("improve", "être meilleurs").
    tokens = [
        t for t in re.findall(r"[a-z]+|\d+", folded) if t not in patterns.stopwords and (len(t) > 1 or t.isdigit())
    ]
    concrete = [token for token in tokens if token not in patterns.vague]
    return SmartAssessment(
        specific=len(tokens) >= 3 and len(concrete) >= 2,
        measurable=_measurable(folded, patterns),
        time_bound=_time_bound(folded, patterns),
    )


def deadline(text: str, *, adopted: date | None = None, rules: SmartRules | None = None) -> date | None:
    """The last day an objective is due, when its text fixes one.

    A date, a month, a quarter or a year fixes it ("d'ici juin 2027" → 2027-06-30, "before 2028" →
    2027-12-31, "Q3 2027" → 2027-09-30); the latest one wins. A relative period ("d'ici 18 mois")
    counts from the strategic plan's adoption date, when known.
    """
    patterns = _patterns(rules or bundled_rules())
    folded = patterns.code.sub(" ", fold(text))
    found: list[date] = []
    for m in patterns.numeric.finditer(folded):
        first, second, year = (int(m[1]) if m[1] else None), int(m[2]), int(m[3])
        day, month = (first, second) if first is None or second <= 12 else (second, first)  # d/m, else m/d
        if 1 <= month <= 12:
            found.append(_safe_date(year, month, day or calendar.monthrange(year, month)[1]))
    for m in patterns.iso.finditer(folded):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            day = int(m[3]) if m[3] else calendar.monthrange(year, month)[1]
            found.append(_safe_date(year, month, day))
    for m in patterns.quarter.finditer(folded):
        found.append(_end_of_quarter(int(m[2]), int(m[1])))
    for m in patterns.ordinal_quarter.finditer(folded):
        number = patterns.ordinals[m[1]]
        found.append(_end_of_quarter(int(m[2]), number))
    for m in patterns.half.finditer(folded):
        first = patterns.ordinals.get(m[1] or "", 0) == 1 or m[2] == "1"
        found.append(date(int(m[3]), 6, 30) if first else date(int(m[3]), 12, 31))
    for m in patterns.mid.finditer(folded):
        found.append(date(int(m[1]), 6, 30))
    for m in patterns.month_year.finditer(folded):
        month, year = patterns.months[m[2]], int(m[3])
        if m[1]:  # "avant juin 2027": the end of May
            month, year = (month - 1, year) if month > 1 else (12, year - 1)
        found.append(_safe_date(year, month, calendar.monthrange(year, month)[1]))
    covered = [m.span() for p in patterns.exact_dates for m in p.finditer(folded)]
    for m in patterns.year.finditer(folded):
        if any(start <= m.start() < end for start, end in covered):
            continue
        before = patterns.before_year.search(folded[max(0, m.start() - 20) : m.end()])
        year = int(m[1]) - 1 if before else int(m[1])
        found.append(date(year, 12, 31))
    if found:
        return max(found)
    relative = patterns.relative.search(folded)
    if adopted is not None and relative is not None:
        amount = int(relative[1]) if relative[1].isdigit() else patterns.values.get(relative[1], 0)
        months = max(1, round(amount * patterns.period_months[relative[2]])) if amount else 0
        if months:
            return _add_months(adopted, months)
    return None


def _end_of_quarter(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(start: date, months: int) -> date:
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return _safe_date(year, month, start.day)


def _masked(text: str, patterns: _Patterns) -> str:
    """The folded text with standards' numbers and dates blanked out, same length as ``text``
    (so that a span found in it is the same span of the owner's own words)."""
    folded = fold(text)
    if len(folded) != len(text):  # decomposed accents: spans would not line up, work on the folded text
        text = folded
    masked = patterns.code.sub(lambda m: " " * len(m[0]), folded)
    for start, end in _date_spans(masked, patterns):
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return masked


def baseline_and_target(text: str, rules: SmartRules | None = None) -> tuple[str, str] | None:
    """The baseline and the target an objective states, in its own words ("de 58 % à 70 %" ->
    ("58 %", "70 %"); "de 1,2 M€ à 1,8 M€" -> ("1,2 M€", "1,8 M€"))."""
    patterns = _patterns(rules or bundled_rules())
    masked = patterns.code.sub(lambda m: " " * len(m[0]), fold(text))
    source = text if len(fold(text)) == len(text) else fold(text)
    for match in patterns.range.finditer(masked):
        start, end = source[match.start(1) : match.end(1)].strip(), source[match.start(2) : match.end(2)].strip()
        if patterns.year.fullmatch(start.split()[0]):
            continue
        unit = re.sub(r"^[$€£]?\s*[\d.,\s  ]+", "", end)
        bare = re.fullmatch(r"[\d.,\s  ]+", start) is not None
        return (f"{start} {unit}" if unit and bare else start), end
    return None


def stated_target(text: str, rules: SmartRules | None = None) -> str | None:
    """The first quantity an objective states with a unit (%, an amount, a duration), dates and
    standards aside, in the objective's own words ("Livrer 95 % des commandes…" -> "95 %"); None
    when it states none ("Ouvrir 3 nouveaux points de vente": the objective itself is the target)."""
    patterns = _patterns(rules or bundled_rules())
    masked = _masked(text, patterns)
    source = text if len(fold(text)) == len(text) else fold(text)
    for match in re.finditer(patterns.quantity, masked):
        if re.search(r"[%$€£]|[a-z]", match[0]):
            return source[match.start() : match.end()].strip()
    return None
