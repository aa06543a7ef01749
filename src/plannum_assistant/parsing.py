"""Deterministic parsing of interview answers, French and English.

Each parser takes the user's raw text and returns a value or raises
:class:`AnswerError` with a short hint in the user's language. No model, no
network: "150 k$", "$150k", "150 000 $" are all 150000; "mars 2025",
"2025-03", "l'an passé" are dates; "oui", "yes", "ouais" are True.
"""

from __future__ import annotations

import re
from datetime import date

from .smart import fold
from .vocabulary import Language


class AnswerError(ValueError):
    """The answer does not fit the question; ``hint`` says what is expected, per language."""

    def __init__(self, hint: dict[Language, str]) -> None:
        super().__init__(hint[Language.EN])
        self.hint = hint


_SKIP = {
    "skip",
    "pass",
    "passer",
    "je ne sais pas",
    "je sais pas",
    "sais pas",
    "aucune idee",
    "aucune idée",
    "i don't know",
    "i dont know",
    "dont know",
    "don't know",
    "no idea",
    "n/a",
    "na",
    "-",
    "?",
    "idk",
    "jsp",
}
_YES = {
    "oui",
    "o",
    "yes",
    "y",
    "ouais",
    "ouaip",
    "yep",
    "yeah",
    "sure",
    "exact",
    "exactement",
    "correct",
    "bien sur",
    "certainement",
    "absolument",
    "d'accord",
    "ok",
    "okay",
    "volontiers",
    "of course",
    "c'est ca",
}
_NO = {
    "non",
    "n",
    "no",
    "nope",
    "nah",
    "pas du tout",
    "jamais",
    "never",
    "aucun",
    "aucune",
    "none",
    "not really",
    "pas vraiment",
    "pas encore",
    "not yet",
}
_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "january": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "february": 2,
    "feb": 2,
    "mars": 3,
    "march": 3,
    "mar": 3,
    "avril": 4,
    "april": 4,
    "apr": 4,
    "avr": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "june": 6,
    "jun": 6,
    "juillet": 7,
    "juil": 7,
    "july": 7,
    "jul": 7,
    "aout": 8,
    "august": 8,
    "aug": 8,
    "septembre": 9,
    "sept": 9,
    "september": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}


def _clean(text: str) -> str:
    return fold(text).strip().strip(".!").strip()


def is_skip(text: str) -> bool:
    return _clean(text) in _SKIP


def parse_yes_no(text: str) -> bool:
    cleaned = _clean(text)
    first = re.split(r"[\s,;:!]+", cleaned, maxsplit=1)[0] if cleaned else ""
    if cleaned in _YES or first in _YES:
        return True
    if cleaned in _NO or first in _NO:
        return False
    raise AnswerError({Language.FR: "Répondez par oui ou non.", Language.EN: "Please answer yes or no."})


def parse_list(text: str, *, commas: bool = True) -> list[str]:
    """Lines, bullets and semicolons separate items; so do commas (unless ``commas=False``).

    A final "et"/"and" separates only in an enumeration of short names ("CRM, ERP et Excel",
    "Sage 50 and Excel"), never inside a sentence ("make the warehouse reliable and traceable").
    """
    text = text.strip()
    if not text:
        raise AnswerError({Language.FR: "Donnez au moins un élément.", Language.EN: "Give at least one item."})
    lines = [re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s*", "", line) for line in re.split(r"[\n;]+", text)]
    items = [line.strip() for line in lines if line.strip()]
    if commas and len(items) == 1:
        parts = [part.strip() for part in items[0].split(",") if part.strip()]
        last = re.split(r"\s+(?:et|and)\s+", parts[-1])
        if len(last) == 2 and all(len(p.split()) <= 3 for p in [*parts[:-1], *last]):
            parts = [*parts[:-1], *last]
        items = parts
    return [item.rstrip(".").strip() for item in items if item.strip(" .")]


def parse_integer(text: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
    cleaned = _clean(text).replace("\u00a0", " ")
    match = re.search(r"\d[\d ]*(?:[.,]\d+)?", cleaned)
    words = {
        "un": 1,
        "une": 1,
        "one": 1,
        "deux": 2,
        "two": 2,
        "trois": 3,
        "three": 3,
        "quatre": 4,
        "four": 4,
        "cinq": 5,
        "five": 5,
        "dix": 10,
        "ten": 10,
        "douze": 12,
        "twelve": 12,
        "vingt": 20,
        "twenty": 20,
    }
    if match:
        value = int(float(match.group().replace(" ", "").replace(",", ".")))
    elif cleaned in words:
        value = words[cleaned]
    else:
        raise AnswerError({Language.FR: "Donnez un nombre, par exemple 45.", Language.EN: "Give a number, e.g. 45."})
    if not minimum <= value <= maximum:
        raise AnswerError(
            {
                Language.FR: f"Donnez un nombre entre {minimum} et {maximum}.",
                Language.EN: f"Give a number between {minimum} and {maximum}.",
            }
        )
    return value


def parse_money(text: str) -> float:
    """ "150 k$", "$150k", "150 000 $", "1,5 M$", "80k", "150000" → dollars."""
    cleaned = _clean(text).replace("\u00a0", " ").replace("$", " ").replace("cad", " ")
    match = re.search(r"(\d[\d ,.]*)\s*(k|m|mille|million|millions|thousand)?\b", cleaned)
    if not match:
        raise AnswerError(
            {
                Language.FR: "Donnez un montant, par exemple 150 000 $ ou 150 k$.",
                Language.EN: "Give an amount, e.g. $150,000 or $150k.",
            }
        )
    digits, unit = match.group(1).strip(), match.group(2)
    if re.fullmatch(r"\d{1,3}([ ,]\d{3})+([.]\d+)?", digits):  # 150 000 / 150,000 thousands separators
        number = float(re.sub(r"[ ,]", "", digits))
    else:
        number = float(digits.replace(" ", "").replace(",", "."))
    factor = {"k": 1e3, "mille": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "millions": 1e6}.get(unit or "", 1)
    return number * factor


def parse_scale(text: str) -> int:
    cleaned = _clean(text)
    match = re.fullmatch(r"([0-5])(?:\s*/\s*5)?(?:\s.*)?", cleaned)
    if not match:
        raise AnswerError(
            {
                Language.FR: "Donnez un niveau de 0 à 5.",
                Language.EN: "Give a level from 0 to 5.",
            }
        )
    return int(match.group(1))


def parse_month(text: str, *, today: date) -> date:
    """ "2025-03", "2025-03-15", "mars 2025", "March 2025", "03/2025", "l'an passé", "last year", "2024"."""
    cleaned = _clean(text)
    if match := re.search(r"\b(20\d{2}|19\d{2})-(\d{1,2})(?:-(\d{1,2}))?\b", cleaned):
        return _date(int(match[1]), int(match[2]), int(match[3] or 1))
    if match := re.search(r"\b(\d{1,2})/(20\d{2})\b", cleaned):
        return _date(int(match[2]), int(match[1]), 1)
    if (match := re.search(r"\b([a-z]+)\.?\s+(?:de\s+|d')?(20\d{2}|19\d{2})\b", cleaned)) and match[1] in _MONTHS:
        return _date(int(match[2]), _MONTHS[match[1]], 1)
    relative = {
        "cette annee": 0,
        "this year": 0,
        "l'an passe": 1,
        "l'an dernier": 1,
        "l'annee derniere": 1,
        "l'annee passee": 1,
        "last year": 1,
        "il y a deux ans": 2,
        "two years ago": 2,
        "il y a 2 ans": 2,
        "2 years ago": 2,
        "il y a trois ans": 3,
        "three years ago": 3,
        "il y a 3 ans": 3,
        "3 years ago": 3,
    }
    for phrase, years in relative.items():
        if phrase in cleaned:
            return date(today.year - years, 1, 1)
    if match := re.fullmatch(r"(20\d{2}|19\d{2})", cleaned):
        return date(int(match[1]), 1, 1)
    raise AnswerError(
        {
            Language.FR: "Donnez une date, par exemple « mars 2025 » ou 2025-03.",
            Language.EN: 'Give a date, e.g. "March 2025" or 2025-03.',
        }
    )


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise AnswerError(
            {
                Language.FR: f"La date {year}-{month:02d}-{day:02d} n'existe pas.",
                Language.EN: f"The date {year}-{month:02d}-{day:02d} does not exist.",
            }
        ) from None


def parse_language(text: str) -> Language:
    cleaned = _clean(text)
    if cleaned in {"fr", "francais", "french", "f", "en francais", "franc", "1"} or cleaned.startswith("fran"):
        return Language.FR
    if cleaned in {"en", "english", "anglais", "e", "in english", "2"} or cleaned.startswith("engl"):
        return Language.EN
    raise AnswerError({Language.FR: "Tapez « fr » ou « en ».", Language.EN: 'Type "fr" or "en".'})
