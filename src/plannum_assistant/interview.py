"""The guided interview: its state, its script, and the offline engine that runs it.

The state is what the intake file holds (answers keyed by topic id), plus the
transcript, the queue of topics still to ask and the stage, so an interview can
always be exported as an intake and re-planned. Topics, questions and examples
are data (``knowledge/interview.yaml``); maturity questions come from
``dimensions.yaml``. The offline engine asks one question at a time and parses
answers deterministically (:mod:`plannum_assistant.parsing`); corrections,
"back", "skip" and a summary work at any point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .catalogue import Bilingual, Strict
from .errors import InterviewError, KnowledgeError
from .files import first_error, load_model
from .gate import GateResult, check_prerequisites
from .intake import Intake
from .knowledge import Dimensions
from .parsing import (
    AnswerError,
    is_skip,
    parse_integer,
    parse_language,
    parse_list,
    parse_money,
    parse_month,
    parse_scale,
    parse_yes_no,
)
from .smart import assess_smart, fold
from .vocabulary import BusinessFunction, Dimension, Language

Kind = Literal[
    "language", "text", "employees", "yes_no", "month", "list", "objectives", "scale", "pains", "money", "horizon"
]
SymptomFinder = Callable[[str, Language], "str | None"]  # a vague pain statement -> closest catalogue symptom


class Topic(Strict):
    id: str
    stage: str
    kind: Kind
    question: Bilingual
    example: Bilingual | None = None
    optional: bool = False
    per_dimension: bool = False
    per_function: bool = False


class InterviewScript(Strict):
    version: int = Field(ge=1)
    functions: dict[BusinessFunction, Bilingual]
    topics: list[Topic]

    def topic(self, topic_id: str) -> Topic:
        base = topic_id.split(".")[0] if topic_id.startswith(("maturity.", "pain_points.")) else topic_id
        for topic in self.topics:
            if topic.id == base:
                return topic
        raise KnowledgeError(f"interview.yaml: unknown topic {topic_id!r}")


def load_script(path: Path) -> InterviewScript:
    return load_model(path, InterviewScript, KnowledgeError)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    text: str
    engine: str | None = None
    notice: str | None = None


class FollowUp(BaseModel):
    """A catalogue symptom offered to sharpen a vague pain point ("Est-ce que … ?")."""

    model_config = ConfigDict(extra="forbid")

    function: str
    item: int
    symptom: str


class InterviewState(BaseModel):
    """Everything an interview knows; JSON-serialisable, stored after every turn."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    language: Language = Language.FR
    stage: str = "language"
    pending: list[str] = Field(default_factory=list, description="topics still to ask, next first")
    asked: list[str] = Field(default_factory=list, description="topics answered or skipped, in order")
    answers: dict[str, Any] = Field(default_factory=dict)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    worksheet: bool = False
    done: bool = False
    transcript: list[Message] = Field(default_factory=list)

    @property
    def current(self) -> str | None:
        return self.pending[0] if self.pending else None


class Engine(Protocol):
    """What a conversation needs from an interview engine (offline or LLM)."""

    name: str

    def start(self, language: Language | None = None) -> Turn: ...

    def respond(self, state: InterviewState, message: str) -> Turn: ...

    def question(self, state: InterviewState) -> str: ...


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: str
    state: InterviewState
    engine: str
    notice: str | None = None


_TEXT = {
    "ask_again": {Language.FR: "Je n'ai pas compris : {hint}", Language.EN: "I did not get that: {hint}"},
    "skipped": {Language.FR: "D'accord, on passe.", Language.EN: "OK, skipping."},
    "required": {
        Language.FR: "Cette information est nécessaire pour continuer.",
        Language.EN: "This one is needed to go on.",
    },
    "back": {Language.FR: "On revient en arrière.", Language.EN: "Going back."},
    "nothing_back": {Language.FR: "Rien à défaire.", Language.EN: "Nothing to go back to."},
    "corrected": {Language.FR: "C'est corrigé : {field} = {value}.", Language.EN: "Updated: {field} = {value}."},
    "unknown_field": {
        Language.FR: "Je ne sais pas quel champ corriger. Champs : {fields}.",
        Language.EN: "I don't know which field to change. Fields: {fields}.",
    },
    "papillon": {
        Language.FR: (
            "Minute papillon ! Un plan numérique traduit un plan stratégique en initiatives numériques : "
            "sans plan stratégique récent et complet, il n'y a rien à traduire. À compléter d'abord :\n{missing}"
        ),
        Language.EN: (
            "Hold on! A plan numérique turns a strategic plan into digital initiatives: without a recent, "
            "complete strategic plan there is nothing to turn. To complete first:\n{missing}"
        ),
    },
    "worksheet_offer": {
        Language.FR: (
            "Je peux vous aider à rédiger les éléments manquants maintenant (fiche de travail), puis nous "
            "poursuivrons le diagnostic. Voulez-vous la fiche ? (oui / non)"
        ),
        Language.EN: (
            "I can help you draft the missing pieces now (a worksheet), then we will go on with the "
            "diagnostic. Would you like the worksheet? (yes / no)"
        ),
    },
    "smart_coach": {
        Language.FR: "Conseil SMART — « {text} » n'est pas encore {criteria} : {advice}",
        Language.EN: 'SMART tip — "{text}" is not yet {criteria}: {advice}',
    },
    "smart_advice": {
        Language.FR: "ajoutez un chiffre (%, $, nombre) et une échéance (« d'ici juin 2027 »). Vous pourrez "
        "le corriger plus tard (« corriger objectifs stratégiques : … »).",
        Language.EN: 'add a number (%, $, count) and a deadline ("by June 2027"). You can change it later '
        '("change strategic objectives to …").',
    },
    "follow_up": {
        Language.FR: "Pour préciser « {item} » : est-ce que « {symptom} » ? (oui / non)",
        Language.EN: 'To sharpen "{item}": would you say "{symptom}"? (yes / no)',
    },
    "not_yet": {
        Language.FR: "D'accord. Dites « corriger … : … » pour changer un élément, puis « oui » pour préparer le plan.",
        Language.EN: 'OK. Say "change … to …" to fix something, then "yes" to draft the plan.',
    },
    "done": {
        Language.FR: "Merci ! Je prépare le brouillon du plan (il devra être révisé et approuvé par une personne).",
        Language.EN: "Thank you! Drafting the plan now (a person must review and approve it).",
    },
    "finished": {
        Language.FR: "L'entrevue est terminée. Exportez-la ou relancez « plannum plan ».",
        Language.EN: 'The interview is finished. Export it or run "plannum plan" again.',
    },
}
_WORKSHEET_TOPICS = {
    "mission": "strategic_plan.mission",
    "strategic_orientations": "strategic_plan.strategic_orientations",
    "strategic_objectives": "strategic_plan.strategic_objectives",
    "operational_orientations": "strategic_plan.operational_orientations",
    "operational_objectives": "strategic_plan.operational_objectives",
}
# Words a user may use to name a field in a correction, folded (no accents).
_FIELD_ALIASES = {
    "company.name": ["nom", "nom de l'entreprise", "name", "company name", "company"],
    "company.sector": ["secteur", "sector", "industry"],
    "company.employees": ["employes", "nombre d'employes", "employees", "staff", "headcount"],
    "company.region": ["region"],
    "strategic_plan.adopted": ["date d'adoption", "adoption", "adopted", "date"],
    "strategic_plan.mission": ["mission"],
    "strategic_plan.strategic_orientations": ["orientations strategiques", "strategic orientations"],
    "strategic_plan.strategic_objectives": ["objectifs strategiques", "strategic objectives"],
    "strategic_plan.operational_orientations": ["orientations operationnelles", "operational orientations"],
    "strategic_plan.operational_objectives": ["objectifs operationnels", "operational objectives"],
    "existing_systems": ["systemes", "logiciels", "systems", "software"],
    "constraints.budget_cad": ["budget"],
    "constraints.horizon_months": ["horizon"],
    "constraints.follow_up_owner": [
        "responsable du suivi",
        "responsable",
        "suivi",
        "follow-up owner",
        "owner",
        "follow up owner",
        "follow-up",
    ],
}
_BACK = {"retour", "back", "precedent", "previous", "revenir"}
_SUMMARY = {"resume", "summary", "recap", "recapitulatif", "sommaire"}
_NOTHING = {"rien", "nothing", "aucun", "none", "pas de probleme", "no problem", "non", "no"}


class OfflineEngine:
    """The default engine: no model, no network, deterministic."""

    name = "offline"

    def __init__(
        self,
        script: InterviewScript,
        dimensions: Dimensions,
        *,
        today: date,
        symptom_for: SymptomFinder | None = None,
        gate_max_age_months: int = 24,
    ) -> None:
        self.script = script
        self.dimensions = dimensions
        self.today = today
        self.symptom_for = symptom_for
        self.gate_max_age_months = gate_max_age_months

    # --- public API -----------------------------------------------------------------------

    def start(self, language: Language | None = None) -> Turn:
        state = InterviewState(pending=[t.id for t in self.script.topics if t.stage in ("language", "company")])
        state.pending.append("strategic_plan.exists")
        if language is not None:  # chosen up front (--lang, a script): not asked
            self._apply(state, "language", language)
            state.pending.remove("language")  # and not in `asked`: "back" never undoes it
            state.stage = self._stage(state)
        reply = self.question(state)
        state.transcript.append(Message(role="assistant", text=reply, engine=self.name))
        return Turn(reply=reply, state=state, engine=self.name)

    def respond(self, state: InterviewState, message: str) -> Turn:
        """One user turn: the message is recorded first, then handled, then the next question asked."""
        state = state.model_copy(deep=True)
        state.transcript.append(Message(role="user", text=message))
        reply = self._handle(state, message.strip())
        state.transcript.append(Message(role="assistant", text=reply, engine=self.name))
        return Turn(reply=reply, state=state, engine=self.name)

    def question(self, state: InterviewState) -> str:
        """The current question with its example, in the interview's language."""
        if state.follow_ups:
            follow = state.follow_ups[0]
            item = state.answers[f"pain_points.{follow.function}"][follow.item]
            return self._t("follow_up", state, item=item, symptom=follow.symptom)
        topic_id = state.current
        if topic_id is None:
            return self._t("finished", state)
        if topic_id == "worksheet.offer":
            return self._t("worksheet_offer", state)
        lang = state.language
        topic = self.script.topic(topic_id)
        params: dict[str, str] = {}
        if topic.per_dimension:
            spec = self.dimensions.spec(_dimension(topic_id))
            anchors = "\n".join(f"  {a.level} — {a.get(lang)}" for a in spec.anchors)
            params = {"label": spec.label.get(lang), "question": spec.question.get(lang)}
            return topic.question.get(lang).format(**params) + "\n" + anchors
        if topic.per_function:
            params = {"function": self.script.functions[BusinessFunction(topic_id.split(".", 1)[1])].get(lang)}
        if topic_id == "confirm":
            params = {"summary": self.summary(state)}
        text = topic.question.get(lang).format(**params)
        return f"{text}\n{topic.example.get(lang)}" if topic.example else text

    def summary(self, state: InterviewState) -> str:
        lines = []
        for topic_id, value in state.answers.items():
            if topic_id in ("language", "strategic_plan.exists"):
                continue
            shown = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            lines.append(f"- {topic_id}: {shown}")
        return "\n".join(lines) or "-"

    # --- what the LLM engine builds on ---------------------------------------------------

    def is_command(self, message: str) -> bool:
        """Summary, back, corrections and skip are handled deterministically, whatever the engine."""
        folded = fold(message).strip(" .!?")
        return folded in _SUMMARY or folded in _BACK or is_skip(message) or _correction(message) is not None

    def fillable_topics(self, state: InterviewState) -> list[str]:
        """Topic ids a rich message may fill at any time (not checkpoints like the language)."""
        ids = [t.id for t in self.script.topics if not (t.per_dimension or t.per_function)]
        ids += [f"maturity.{spec.id.value}" for spec in self.dimensions.dimensions]
        ids += [f"pain_points.{f.value}" for f in BusinessFunction]
        return [i for i in ids if i not in ("language", "confirm", "strategic_plan.exists")]

    def parse(self, topic_id: str, raw: str, state: InterviewState) -> Any:
        return self._parse(self.script.topic(topic_id).kind, raw, state)

    def fill(self, state: InterviewState, topic_id: str, raw: str) -> list[str]:
        """Store an answer given in any order: the current question advances, others are not asked again."""
        if topic_id == state.current and not state.follow_ups:
            return self._answer(state, topic_id, raw)
        self._apply(state, topic_id, self.parse(topic_id, raw, state))
        if topic_id in state.pending:
            state.pending.remove(topic_id)
        return []

    def to_intake(self, state: InterviewState) -> Intake:
        """The intake file this interview amounts to (raises InterviewError if too early)."""
        return build_intake(state)

    # --- the turn ---------------------------------------------------------------------------

    def _handle(self, state: InterviewState, message: str) -> str:
        if state.done:
            return self._t("finished", state)
        folded = fold(message).strip(" .!?")
        if folded in _SUMMARY:
            return f"{self.summary(state)}\n\n{self.question(state)}"
        if folded in _BACK:
            return self._back(state)
        if correction := _correction(message):
            return self._correct(state, *correction)
        if state.follow_ups:
            return self._answer_follow_up(state, message)
        topic_id = state.current
        assert topic_id is not None  # an unfinished interview always has a pending topic
        if is_skip(message) or not message:
            return self._skip(state, topic_id)
        try:
            notes = self._answer(state, topic_id, message)
        except AnswerError as exc:
            return self._t("ask_again", state, hint=exc.hint[state.language]) + "\n" + self.question(state)
        if state.done:
            return self._t("done", state)
        return "\n".join([*notes, self.question(state)])

    def _answer(self, state: InterviewState, topic_id: str, message: str) -> list[str]:
        """Parse, store, advance; returns notes to show before the next question."""
        if topic_id == "worksheet.offer":
            state.pending.pop(0)
            state.asked.append(topic_id)
            if parse_yes_no(message):
                state.worksheet = True
                missing = [t for t in _WORKSHEET_TOPICS.values() if not state.answers.get(t)]
                state.pending[0:0] = missing
            return []
        value = self._parse(self.script.topic(topic_id).kind, message, state)
        if topic_id == "confirm" and value is False:
            return [self._t("not_yet", state)]
        self._apply(state, topic_id, value)
        notes = self._smart_notes(state, topic_id, value)
        self._advance(state, topic_id)
        return notes

    def _parse(self, kind: Kind, message: str, state: InterviewState) -> Any:
        parsers: dict[str, Callable[[str], Any]] = {
            "language": parse_language,
            "text": _text,
            "employees": lambda m: parse_integer(m, minimum=1, maximum=100_000),
            "horizon": lambda m: parse_integer(m, minimum=6, maximum=36),
            "yes_no": parse_yes_no,
            "month": lambda m: parse_month(m, today=self.today).isoformat(),
            "list": parse_list,
            "objectives": parse_list,
            "scale": parse_scale,
            "pains": _pains,
            "money": parse_money,
        }
        return parsers[kind](message)

    def _apply(self, state: InterviewState, topic_id: str, value: Any) -> None:
        if topic_id == "language":
            state.language = value
            value = value.value
        state.answers[topic_id] = value

    def _advance(self, state: InterviewState, topic_id: str) -> None:
        state.pending.pop(0)
        state.asked.append(topic_id)
        if topic_id == "strategic_plan.exists":
            if state.answers[topic_id]:
                topics = [t.id for t in self.script.topics if t.stage == "strategic_plan"][1:]
                state.pending[0:0] = [t for t in topics if t not in state.answers]
            else:
                self._after_strategy(state)
        elif topic_id == "strategic_plan.operational_objectives" and not state.worksheet:
            self._after_strategy(state)
        elif topic_id.startswith("pain_points."):
            self._offer_follow_ups(state, topic_id)
        elif topic_id == "confirm":
            state.done = True
        if not state.pending and not state.done:
            state.pending.append("confirm")
        state.stage = self._stage(state)

    def _after_strategy(self, state: InterviewState) -> None:
        """Run the gate; when it fails, explain and offer the worksheet; then the diagnostic."""
        rest = [f"maturity.{spec.id.value}" for spec in self.dimensions.dimensions]
        rest += [f"pain_points.{f.value}" for f in BusinessFunction]
        rest += [t.id for t in self.script.topics if t.stage in ("systems", "constraints", "follow_up")]
        ready = self._gate_ready(state)
        rest = [t for t in rest if t not in state.answers]
        state.pending[0:0] = (["worksheet.offer"] if not ready and not state.worksheet else []) + rest

    def _gate(self, state: InterviewState) -> GateResult | None:
        """The prerequisite gate on the answers so far (None before the company basics)."""
        try:
            intake = build_intake(state)
        except InterviewError:
            return None
        plan = intake.strategic_plan.to_model() if intake.strategic_plan else None
        return check_prerequisites(plan, today=self.today, max_age_months=self.gate_max_age_months)

    def _gate_ready(self, state: InterviewState) -> bool:
        gate = self._gate(state)
        return gate is not None and gate.ready

    def gate_message(self, state: InterviewState) -> str | None:
        """The "minute papillon" explanation when the gate fails, else None."""
        gate = self._gate(state)
        if gate is None or gate.ready:
            return None
        missing = "\n".join(f"- {line}" for line in gate.missing_messages(state.language))
        return self._t("papillon", state, missing=missing)

    def _smart_notes(self, state: InterviewState, topic_id: str, value: Any) -> list[str]:
        notes = []
        if self.script.topic(topic_id).kind == "objectives":
            criteria = {
                "specific": ("spécifique", "specific"),
                "measurable": ("mesurable", "measurable"),
                "time_bound": ("daté", "time-bound"),
            }
            for text in value:
                failing = assess_smart(text).failing
                if failing:
                    names = [criteria[c][0 if state.language is Language.FR else 1] for c in failing]
                    joined = (" ni " if state.language is Language.FR else " nor ").join(names)
                    notes.append(
                        self._t("smart_coach", state, text=text, criteria=joined, advice=self._t("smart_advice", state))
                    )
        if topic_id in ("strategic_plan.exists", "strategic_plan.operational_objectives") and (
            message := self._pending_gate_message(state, topic_id)
        ):
            notes.append(message)
        return notes

    def _pending_gate_message(self, state: InterviewState, topic_id: str) -> str | None:
        if state.worksheet:
            return None
        if topic_id == "strategic_plan.exists" and state.answers.get(topic_id):
            return None
        return self.gate_message(state)

    def _offer_follow_ups(self, state: InterviewState, topic_id: str) -> None:
        if self.symptom_for is None:
            return
        function = topic_id.split(".", 1)[1]
        for index, item in enumerate(state.answers.get(topic_id) or []):
            if len(item.split()) < 6 and (symptom := self.symptom_for(item, state.language)):
                state.follow_ups.append(FollowUp(function=function, item=index, symptom=symptom))
            if len(state.follow_ups) >= 2:
                break

    def _answer_follow_up(self, state: InterviewState, message: str) -> str:
        follow = state.follow_ups[0]
        try:
            agreed = parse_yes_no(message)
        except AnswerError as exc:
            return self._t("ask_again", state, hint=exc.hint[state.language]) + "\n" + self.question(state)
        state.follow_ups.pop(0)
        if agreed:
            items = state.answers[f"pain_points.{follow.function}"]
            items[follow.item] = f"{items[follow.item]} — {follow.symptom}"
        return self.question(state)

    def _skip(self, state: InterviewState, topic_id: str) -> str:
        if topic_id == "worksheet.offer" or topic_id.startswith(("maturity.", "pain_points.")):
            optional = True
        else:
            optional = self.script.topic(topic_id).optional
        if not optional:
            return self._t("required", state) + "\n" + self.question(state)
        self._advance(state, topic_id)
        return self._t("skipped", state) + "\n" + self.question(state)

    def _back(self, state: InterviewState) -> str:
        state.follow_ups.clear()
        if not state.asked:
            return self._t("nothing_back", state) + "\n" + self.question(state)
        previous = state.asked.pop()
        state.answers.pop(previous, None)
        state.done = False
        state.pending.insert(0, previous)
        state.stage = self._stage(state)
        return self._t("back", state) + "\n" + self.question(state)

    def _correct(self, state: InterviewState, field: str, raw: str) -> str:
        topic_id = _field_topic(field)
        if topic_id is None:
            fields = ", ".join(sorted(aliases[0] for aliases in _FIELD_ALIASES.values()))
            return self._t("unknown_field", state, fields=fields) + "\n" + self.question(state)
        try:
            value = self._parse(self.script.topic(topic_id).kind, raw, state)
        except AnswerError as exc:
            return self._t("ask_again", state, hint=exc.hint[state.language]) + "\n" + self.question(state)
        self._apply(state, topic_id, value)
        if topic_id in state.pending:  # answered ahead of its question: do not ask it again
            state.pending.remove(topic_id)
        shown = "; ".join(map(str, value)) if isinstance(value, list) else value
        return self._t("corrected", state, field=topic_id, value=shown) + "\n" + self.question(state)

    def _stage(self, state: InterviewState) -> str:
        if state.done:
            return "draft_plan"
        current = state.current
        if current is None or current == "worksheet.offer":
            return "strategic_plan"
        return self.script.topic(current).stage

    def _t(self, key: str, state: InterviewState, **params: object) -> str:
        return _TEXT[key][state.language].format(**params)


def _dimension(topic_id: str) -> Dimension:
    return Dimension(topic_id.split(".", 1)[1])


def _pains(message: str) -> list[str]:
    """Problems in the owner's words; "rien"/"nothing" is an answer, "oui" is not a problem."""
    if fold(message).strip(" .!") in _NOTHING:
        return []
    items = parse_list(message, commas=False)  # one problem per line: commas stay inside it
    if any(len(item.split()) < 3 for item in items):
        raise AnswerError(
            {
                Language.FR: "Décrivez chaque problème en quelques mots (ou « rien »).",
                Language.EN: 'Describe each problem in a few words (or "nothing").',
            }
        )
    return items


def _text(message: str) -> str:
    text = message.strip()
    if len(text) < 2:
        raise AnswerError({Language.FR: "Écrivez quelques mots.", Language.EN: "Write a few words."})
    return text[:1000]


def _correction(message: str) -> tuple[str, str] | None:
    """ "corriger la mission : …", "change the budget to 80k", "changer le budget à 80 k$"."""
    folded = fold(message)
    patterns = [
        r"^(?:corriger|corrige|modifier|changer|change|set|correct|update)\s+"
        r"(?:la |le |les |l'|the |my |our )?(.+?)\s*(?::|=)\s*(.+)$",
        r"^(?:change|set|update|correct)\s+(?:the |my |our )?(.+?)\s+to\s+(.+)$",
        r"^(?:changer|modifier|corriger)\s+(?:la |le |les |l')?(.+?)\s+(?:a|pour|en)\s+(.+)$",
    ]
    for pattern in patterns:
        if match := re.match(pattern, folded, flags=re.IGNORECASE | re.DOTALL):
            start = match.start(2)
            return match.group(1).strip(), message[start:].strip()
    return None


def _field_topic(field: str) -> str | None:
    folded = fold(field).strip()
    for topic_id, aliases in _FIELD_ALIASES.items():
        if folded in aliases or folded == topic_id:
            return topic_id
    for topic_id, aliases in _FIELD_ALIASES.items():
        if any(folded.startswith(alias) or alias.startswith(folded) for alias in aliases if len(folded) >= 4):
            return topic_id
    return None


def build_intake(state: InterviewState) -> Intake:
    """The intake an interview amounts to so far; InterviewError names what is still needed."""
    answers = state.answers
    needed = [t for t in ("company.name", "company.sector", "company.employees") if t not in answers]
    if needed:
        raise InterviewError(f"the interview has not yet answered {', '.join(needed)}")
    data: dict[str, Any] = {
        "language": state.language.value,
        "company": {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("company.")},
        "maturity": {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("maturity.")},
        "pain_points": [p for k, v in answers.items() if k.startswith("pain_points.") for p in v],
        "existing_systems": answers.get("existing_systems") or [],
        "constraints": {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("constraints.")},
    }
    if answers.get("strategic_plan.adopted"):
        data["strategic_plan"] = {
            k.split(".", 1)[1]: v
            for k, v in answers.items()
            if k.startswith("strategic_plan.") and k != "strategic_plan.exists"
        }
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InterviewError(f"the answers do not make a valid intake: {first_error(exc)}") from None


def worksheet_of(state: InterviewState) -> dict[str, Any]:
    """The strategic-plan pieces drafted in the worksheet (not an adopted plan: no date)."""
    return {name: state.answers[topic] for name, topic in _WORKSHEET_TOPICS.items() if topic in state.answers}
