"""SMART checks on objective text, in French and English.

Only the criteria that text can show are detected: *specific* (a concrete,
non-trivial statement), *measurable* (a number, a percentage, an amount) and
*time-bound* (a date, a year, a deadline, a duration). Ambitious and
realistic are judgements for the people who own the plan, so they are not
guessed here.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict

_MONTHS = (
    "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "janv|fevr|sept|oct|nov|dec|jan|feb|mar|apr|jun|jul|aug|sep"
)
_TIME_PATTERNS = [
    r"\b(19|20)\d{2}\b",  # a year
    r"\b\d{4}-\d{2}(-\d{2})?\b",  # ISO date
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    rf"\b({_MONTHS})\b",
    r"\b(q[1-4]|t[1-4])\b",  # quarters: Q3 / T3
    r"\b(d'ici|d ici|avant|au plus tard|dans les? \d+|en \d+ (mois|ans?|semaines?))\b",
    r"\b(by|before|within|no later than|in the next|over the next)\b",
    r"\b(fin|debut|end|start) (de l'|de la |du |of )?(annee|exercice|trimestre|year|quarter|fiscal)",
    r"\b\d+ (mois|ans?|annees?|semaines?|months?|years?|weeks?)\b",
    r"\b(trimestre|semestre|quarter|annuel(lement)?|annually|per year|par an(nee)?|chaque annee|each year)\b",
]
_MEASURE_PATTERNS = [
    r"\d+([.,]\d+)?\s*%",
    r"\b\d+([.,]\d+)?\s*(k|m)?\s*\$",
    r"\$\s*\d",
    r"\b\d+([.,]\d+)?\s*(k\$|m\$|€|eur|cad|usd|euros?|dollars?)\b",
    r"\b(pour ?cent|percent|per ?cent)\b",
    r"\b(deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|cent|mille)\b",
    r"\b(two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|hundred|thousand)\b",
    r"\b(double[rz]?|tripler|diviser par|doubling|triple|halve|moitie|half)\b",
    r"\b\d+([.,]\d+)?\b",  # any other quantity (a count, a delay, a rate)
]
_VAGUE = {
    "ameliorer",
    "mieux",
    "optimiser",
    "developper",
    "moderniser",
    "croitre",
    "croissance",
    "improve",
    "better",
    "optimize",
    "optimise",
    "develop",
    "modernize",
    "modernise",
    "grow",
    "growth",
    "efficace",
    "efficient",
    "efficacite",
    "efficiency",
    "performance",
    "meilleur",
    "meilleurs",
    "best",
    "leader",
    "excellence",
    "succes",
    "success",
    "things",
    "choses",
}
_STOPWORDS = {
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "de",
    "du",
    "d",
    "l",
    "et",
    "a",
    "au",
    "aux",
    "en",
    "pour",
    "nos",
    "notre",
    "nous",
    "sur",
    "par",
    "dans",
    "plus",
    "the",
    "an",
    "of",
    "to",
    "and",
    "in",
    "our",
    "we",
    "for",
    "on",
    "by",
    "with",
    "more",
    "be",
    "etre",
    "avoir",
    "son",
    "sa",
    "ses",
}


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


def assess_smart(text: str) -> SmartAssessment:
    folded = fold(text)
    time_bound = any(re.search(pattern, folded) for pattern in _TIME_PATTERNS)
    # A year or an ISO date alone is not a measure: remove them before looking for quantities.
    without_dates = re.sub(r"\b(19|20)\d{2}(-\d{2}){0,2}\b", " ", folded)
    measurable = any(re.search(pattern, without_dates) for pattern in _MEASURE_PATTERNS)
    # Specific: says *what* changes, beyond vague verbs ("improve", "être meilleurs").
    tokens = [t for t in re.findall(r"[a-z]+|\d+", folded) if t not in _STOPWORDS and (len(t) > 1 or t.isdigit())]
    concrete = [token for token in tokens if token not in _VAGUE]
    specific = len(tokens) >= 3 and len(concrete) >= 2
    return SmartAssessment(specific=specific, measurable=measurable, time_bound=time_bound)
