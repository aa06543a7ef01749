"""Text normalisation for lexical retrieval: language guess, stemming, accent folding.

Stemming runs before accent folding because the Snowball French stemmer
expects accents ('étiquettes' → 'étiquet' → 'etiquet'); folding afterwards
lets an owner who types without accents still match.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

from .smart import fold
from .vocabulary import Language

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+", re.UNICODE)
_ELISION = re.compile(r"^(?:[ldjmntsc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_STEMMER_NAMES = {Language.FR: "french", Language.EN: "english"}
# Words owners use everywhere that carry no signal about *which* problem they have.
_DOMAIN_STOPWORDS = {
    Language.FR: {
        "on",
        "nos",
        "notre",
        "ça",
        "ca",
        "fait",
        "faut",
        "tout",
        "tous",
        "toujours",
        "jamais",
        # Québec fillers: "pis" (puis), "faque" (fait que), "ben", "tsé", "y'a"
        "pis",
        "faque",
        "ben",
        "tsé",
        "tse",
        "y'a",
        "ya",
        "genre",
    },
    Language.EN: {"we", "our", "us", "it", "always", "never", "get", "got", "lot", "lots"},
}
_STOPWORDS = {
    Language.FR: {fold(word) for word in STOPWORDS_FRENCH} | _DOMAIN_STOPWORDS[Language.FR],
    Language.EN: {fold(word) for word in STOPWORDS_EN} | _DOMAIN_STOPWORDS[Language.EN],
}
# Function words that tell the languages apart (present in one list, absent from the other).
_MARKERS = {
    Language.FR: {
        "le",
        "la",
        "les",
        "des",
        "du",
        "une",
        "et",
        "est",
        "pas",
        "nous",
        "qui",
        "que",
        "pour",
        "avec",
        "dans",
        "sur",
        "au",
        "aux",
        "ne",
        "sont",
        "ça",
        "nos",
        "notre",
        "mes",
        "ils",
    },
    Language.EN: {
        "the",
        "and",
        "is",
        "are",
        "not",
        "we",
        "our",
        "with",
        "for",
        "to",
        "of",
        "in",
        "it",
        "that",
        "they",
        "my",
        "don't",
        "can't",
        "have",
        "has",
        "too",
        "no",
    },
}


@lru_cache(maxsize=2)
def _stemmer(language: Language) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[language])


def words(text: str) -> list[str]:
    """Lower-cased words with French elisions removed ("l'inventaire" → "inventaire")."""
    return [_ELISION.sub("", word) for word in _WORD.findall(text.lower())]


def guess_language(text: str) -> Language | None:
    """French or English from function words and accents; None when the text gives no clue."""
    tokens = words(text)
    fr = sum(token in _MARKERS[Language.FR] for token in tokens)
    en = sum(token in _MARKERS[Language.EN] for token in tokens)
    fr += len(re.findall(r"[éèêàùçôîâ]", text.lower()))
    if fr == en:
        return None
    return Language.FR if fr > en else Language.EN


def lexical_tokens(text: str, language: Language) -> list[str]:
    """Tokens for BM25: stop words removed, stemmed in ``language``, accents folded."""
    kept = [word for word in words(text) if fold(word) not in _STOPWORDS[language] and len(word) > 1]
    return [fold(stem) for stem in _stemmer(language).stemWords(kept)]


def quote(text: str, language: Language) -> str:
    """The owner's words quoted the way each language quotes: « … » in French, "…" in English."""
    return f"« {text} »" if language is Language.FR else f'"{text}"'
