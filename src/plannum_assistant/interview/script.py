"""The interview as data (``knowledge/interview.yaml``): topics, questions, and every word it uses.

Topics are asked one at a time; ``kind`` picks the parser, ``stage`` groups them. Around the
questions, the sentences the interview says, the command words a user may type at any time
(summary, back, corrections) and the words that name a field are here too, each in French and
English: loading fails with a :class:`~plannum_assistant.errors.KnowledgeError` naming the file
and the key when one is missing, never later in a conversation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ..catalogue import Bilingual, Strict
from ..errors import KnowledgeError
from ..files import load_model
from ..parsing import Word, Words, placeholders
from ..vocabulary import BusinessFunction, Language

Kind = Literal[
    "language", "text", "employees", "yes_no", "month", "list", "objectives", "scale", "pains", "money", "horizon"
]


class Topic(Strict):
    id: str
    stage: str
    kind: Kind
    question: Bilingual
    example: Bilingual | None = None
    optional: bool = False
    per_dimension: bool = False
    per_function: bool = False


class _Sentences(Strict):
    """A group of bilingual sentences, one field per key, with the same placeholders in both languages."""

    @model_validator(mode="after")
    def _same_placeholders(self) -> _Sentences:
        for key in type(self).model_fields:
            text: Bilingual = getattr(self, key)
            if placeholders(text.fr) != placeholders(text.en):
                raise ValueError(f"{key}: placeholders differ between fr and en")
        return self

    def render(self, key: str, language: Language, **params: object) -> str:
        text = getattr(self, key, None)
        if not isinstance(text, Bilingual):
            raise KnowledgeError(f"interview.yaml: unknown text {key!r}")
        return text.get(language).format(**params)


class InterviewTexts(_Sentences):
    ask_again: Bilingual
    skipped: Bilingual
    required: Bilingual
    back: Bilingual
    nothing_back: Bilingual
    corrected: Bilingual
    unknown_field: Bilingual
    papillon: Bilingual
    worksheet_offer: Bilingual
    smart_coach: Bilingual
    smart_advice: Bilingual
    follow_up: Bilingual
    not_yet: Bilingual
    done: Bilingual
    finished: Bilingual
    too_long: Bilingual
    current_answer: Bilingual
    maturity_scale: Bilingual
    kept: Bilingual
    clarified: Bilingual
    pain_edited: Bilingual
    pain_deleted: Bilingual
    no_such_pain: Bilingual
    summary_pain: Bilingual
    summary_pains_help: Bilingual
    summary_maturity: Bilingual
    money: Bilingual
    yes: Bilingual
    no: Bilingual
    smart_advice_operational: Bilingual
    smart_past_due: Bilingual
    confirm_blocked: Bilingual


class Hints(_Sentences):
    pains: Bilingual
    text: Bilingual

    def hint(self, key: Literal["pains", "text"]) -> dict[Language, str]:
        return {language: self.render(key, language) for language in Language}


class SmartWords(_Sentences):
    """The SMART criteria an objective may fail, and the word that joins them ("ni" / "nor")."""

    specific: Bilingual
    measurable: Bilingual
    time_bound: Bilingual
    nor: Bilingual


class Notices(_Sentences):
    """Why the LLM engine handed a turn to the offline engine; for ``unavailable``, the cause."""

    unavailable: Bilingual
    empty: Bilingual
    missed: Bilingual
    invalid: Bilingual
    timeout: Bilingual
    http: Bilingual
    connection: Bilingual
    unreadable: Bilingual


class Commands(Strict):
    summary: Words
    back: Words
    nothing: Words
    details: Words = Field(description="show each level's description for the maturity question asked")
    none: Words = Field(description="non-answers to a free-text question: a skip, never stored")
    quit: Words


class CorrectionWords(Strict):
    verbs: list[Word] = Field(min_length=1)
    verbs_to: list[Word] = Field(min_length=1)
    articles: list[Word] = Field(min_length=1)
    to: list[Word] = Field(min_length=1)


class Corrections(Strict):
    fr: CorrectionWords
    en: CorrectionWords


class PainEditWords(Strict):
    """ "corriger le point 3 : …", "supprimer le point 2" / "change item 3 to …", "delete item 2"."""

    edit: list[Word] = Field(min_length=1)
    delete: list[Word] = Field(min_length=1)
    item: list[Word] = Field(min_length=1)
    to: list[Word] = Field(min_length=1)


class InterviewScript(Strict):
    version: int = Field(ge=1)
    functions: dict[BusinessFunction, Bilingual]
    topics: list[Topic]
    texts: InterviewTexts
    hints: Hints
    smart: SmartWords
    notices: Notices
    commands: Commands
    corrections: Corrections
    field_aliases: dict[str, Words]
    labels: dict[str, Bilingual] = Field(description="how each topic is named to the owner (summary, corrections)")
    currency_symbols: dict[str, str] = Field(description="currency code -> symbol shown with amounts")
    pain_edits: dict[Language, PainEditWords]

    @model_validator(mode="after")
    def _aliases_name_topics(self) -> InterviewScript:
        ids = {topic.id for topic in self.topics if not (topic.per_dimension or topic.per_function)}
        unknown = [topic_id for topic_id in self.field_aliases if topic_id not in ids]
        if unknown:
            raise ValueError(f"field_aliases: unknown topic {', '.join(unknown)}")
        unlabelled = [topic_id for topic_id in ids if topic_id not in self.labels and topic_id != "confirm"]
        if unlabelled:
            raise ValueError(f"labels: missing {', '.join(unlabelled)}")
        return self

    def topic(self, topic_id: str) -> Topic:
        base = topic_id.split(".")[0] if topic_id.startswith(("maturity.", "pain_points.")) else topic_id
        for topic in self.topics:
            if topic.id == base:
                return topic
        raise KnowledgeError(f"interview.yaml: unknown topic {topic_id!r}")


def load_script(path: Path) -> InterviewScript:
    return load_model(path, InterviewScript, KnowledgeError)
