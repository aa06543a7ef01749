"""How severe a pain point is, from what the statement says happens (never from one cue word).

The consequences and exposures a statement names (``knowledge/severity.yaml``) decide:

- **high**: work stopped, or a safety, compliance, security, privacy or food-safety exposure; or
  money or customers lost, unless the statement says it happens rarely or matters little;
- **low**: said to be mild, or rare with no consequence named;
- **medium**: everything else (time wasted, friction, errors caught in time).

A money amount written in the statement ("18 000 $", "£4k", "3 000 €") counts as money lost.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import KnowledgeError
from ..lexicon import Lexicon, load_lexicon
from ..models import Severity
from ..smart import fold
from ..vocabulary import Consequence, Exposure

_AMOUNT = re.compile(r"(?:[$€£]\s*\d|\d[\d\s.,]*\s*(?:k\s*)?(?:[$€£]|k\b|m\b))")
EXPOSURES = {Consequence(e.value) for e in Exposure}


def load_severity(path: Path) -> Lexicon[Consequence]:
    lexicon = load_lexicon(path, Consequence)
    missing = [c.value for c in Consequence if c not in lexicon.terms]
    if missing:
        raise KnowledgeError(f"{path}: terms: missing {', '.join(missing)}")
    return lexicon


def consequences(lexicon: Lexicon[Consequence], text: str) -> list[Consequence]:
    """What the statement says happens, in the vocabulary's order."""
    found = lexicon.matches(text)
    if _AMOUNT.search(fold(text)):
        found.add(Consequence.MONEY)
    return [c for c in Consequence if c in found]


def severity(found: list[Consequence]) -> Severity:
    named = set(found)
    if Consequence.STOPPED in named or named & EXPOSURES:
        return Severity.HIGH
    lost = named & {Consequence.MONEY, Consequence.CUSTOMERS}
    if lost:
        return Severity.MEDIUM if named & {Consequence.RARE, Consequence.MILD} else Severity.HIGH
    if Consequence.MILD in named or Consequence.RARE in named:
        return Severity.LOW
    return Severity.MEDIUM


def exposures(found: list[Consequence]) -> list[Exposure]:
    """The exposures among the consequences (they make a pain urgent, whatever its cost)."""
    return [Exposure(c.value) for c in found if c in EXPOSURES]
