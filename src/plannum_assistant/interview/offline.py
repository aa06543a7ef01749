"""The offline interview engine: no model, no network, deterministic.

It asks one question at a time (:mod:`.script`), parses answers deterministically
(:mod:`plannum_assistant.parsing`), and handles corrections, "back", "skip" and a summary at
any point (:mod:`.commands`). Maturity questions come from ``dimensions.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..errors import InterviewError
from ..gate import GateResult, check_prerequisites
from ..intake import Intake
from ..knowledge import Dimensions, Wording
from ..parsing import AnswerError, ParsingWords, bundled_parsing, is_skip, parse_yes_no
from ..vocabulary import BusinessFunction, Dimension, Language
from . import coaching, flow, follow_ups, limits, summary
from .answers import AnswerParser
from .build import WORKSHEET_TOPICS, build_intake
from .commands import field_topic, is_back, is_details, is_non_answer, is_summary, parse_correction
from .follow_ups import SymptomFinder
from .script import InterviewScript, InterviewTexts
from .state import InterviewState, Message, Turn


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
        parsing: ParsingWords | None = None,
        wording: Wording | None = None,
        currency_of: Callable[[str | None], str] | None = None,
    ) -> None:
        self.script = script
        self.wording = wording
        self.texts: InterviewTexts = script.texts
        self.parsing = parsing if parsing is not None else bundled_parsing()
        self.dimensions = dimensions
        self.today = today
        self.symptom_for = symptom_for
        self.gate_max_age_months = gate_max_age_months
        self.answers = AnswerParser(script, self.parsing, today=today)
        self.currency_of = currency_of  # the company's region -> its currency (CAD when unknown)

    # --- public API -----------------------------------------------------------------------

    def start(self, language: Language | None = None) -> Turn:
        state = InterviewState(pending=[t.id for t in self.script.topics if t.stage in ("language", "company")])
        state.pending.append("strategic_plan.exists")
        if language is not None:  # chosen up front (--lang, a script): not asked
            self._apply(state, "language", language)
            state.pending.remove("language")  # and not in `asked`: "back" never undoes it
            state.stage = flow.stage_of(self.script, state)
        reply = self.question(state)
        state.transcript.append(Message(role="assistant", text=reply, engine=self.name))
        return Turn(reply=reply, state=state, engine=self.name)

    def respond(self, state: InterviewState, message: str) -> Turn:
        """One user turn: the message is recorded first, then handled, then the next question asked."""
        state = state.fork()
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
            # The question and a one-line scale; each level's description on request (« détails »):
            # ten questions of 1,600 characters each took an owner 20-30 minutes.
            spec = self.dimensions.spec(_dimension(topic_id))
            params = {"label": spec.label.get(lang), "question": spec.question.get(lang)}
            text = topic.question.get(lang).format(**params) + "\n" + self._t("maturity_scale", state)
            if topic_id in state.revisit and topic_id in state.answers:
                text += "\n" + self._t("current_answer", state, value=self.shown(state, topic_id))
            return text
        if topic.per_function:
            params = {"function": self.script.functions[BusinessFunction(topic_id.split(".", 1)[1])].get(lang)}
        if topic_id == "confirm":
            if not state.worksheet and self._gate(state) is not None and not self._gate_ready(state):
                return self._t("confirm_blocked", state, summary=self.summary(state))
            params = {"summary": self.summary(state)}
        text = topic.question.get(lang).format(**params)
        text = f"{text}\n{topic.example.get(lang)}" if topic.example else text
        if topic_id in state.revisit and topic_id in state.answers:
            text += "\n" + self._t("current_answer", state, value=self.shown(state, topic_id))
        return text

    def summary(self, state: InterviewState) -> str:
        return summary.summary(self.script, self.dimensions, state, self._currency(state))

    def shown(self, state: InterviewState, topic_id: str) -> str:
        return summary.shown(self.script, self.dimensions, state, topic_id, self._currency(state))

    def _currency(self, state: InterviewState) -> str:
        return self.currency_of(state.answers.get("company.region")) if self.currency_of else "CAD"

    # --- what the LLM engine builds on ---------------------------------------------------

    def is_command(self, message: str) -> bool:
        """Summary, back, corrections and skip are handled deterministically, whatever the engine."""
        return (
            is_summary(message, self.script)
            or is_back(message, self.script)
            or is_skip(message, words=self.parsing)
            or self._names_a_field(message)
        )

    def _names_a_field(self, message: str) -> bool:
        correction = parse_correction(message, self.script)
        return correction is not None and field_topic(correction[0], self.script) is not None

    def fillable_topics(self, state: InterviewState) -> list[str]:
        """Topic ids a rich message may fill at any time (not checkpoints like the language)."""
        ids = [t.id for t in self.script.topics if not (t.per_dimension or t.per_function)]
        ids += [f"maturity.{spec.id.value}" for spec in self.dimensions.dimensions]
        ids += [f"pain_points.{f.value}" for f in BusinessFunction]
        return [i for i in ids if i not in ("language", "confirm", "strategic_plan.exists")]

    def parse(self, topic_id: str, raw: str, state: InterviewState) -> Any:
        """An answer's value; AnswerError when it does not fit, or would break a limit of the intake."""
        value = self.answers.parse(topic_id, raw)
        limits.check_total(state, topic_id, value, self.parsing)
        return value

    def fill(self, state: InterviewState, topic_id: str, raw: str) -> list[str]:
        """Store an answer given in any order: the current question advances, others are not asked again."""
        try:
            if topic_id == state.current and not state.follow_ups:
                return self._answer(state, topic_id, raw)
            self._apply(state, topic_id, self.parse(topic_id, raw, state))
        except limits.LimitError as exc:  # fields of one message that together break a limit: not stored
            return [exc.hint[state.language]]
        self._settle(state, topic_id)
        return []

    def reopen(self, state: InterviewState) -> str | None:
        """An answer stored that the intake would refuse (a session from before the limits): asked again."""
        return limits.reopen(state, self.script, self.parsing)

    def to_intake(self, state: InterviewState) -> Intake:
        """The intake file this interview amounts to (raises InterviewError if too early)."""
        return build_intake(state)

    # --- the turn ---------------------------------------------------------------------------

    def _handle(self, state: InterviewState, message: str) -> str:
        if state.done:
            return self._t("finished", state)
        if is_summary(message, self.script):
            return f"{self.summary(state)}\n\n{self.question(state)}"
        if (state.current or "").startswith("maturity.") and is_details(message, self.script):
            spec = self.dimensions.spec(_dimension(state.current or ""))
            anchors = "\n".join(f"  {a.level} — {a.get(state.language)}" for a in spec.anchors)
            return f"{anchors}\n{self.question(state)}"
        if is_back(message, self.script):
            return self._back(state)
        if edit := summary.parse_pain_edit(message, self.script):
            return self._edit_pain(state, *edit)
        correction = parse_correction(message, self.script)
        if correction and (self._names_a_field(message) or not self._expects_text(state)):
            # "Changer un prix en magasin prend une heure" answers a pain question: only a message that
            # names a field, or one given where free text is not expected, is a correction.
            return self._correct(state, *correction)
        if state.follow_ups:
            return self._answer_follow_up(state, message)
        topic_id = state.current
        if topic_id is None:  # nothing left to ask (a store from an older version): go to the confirmation
            state.pending.append("confirm")
            topic_id = "confirm"
        if self._non_answer(topic_id, message) and topic_id.startswith("strategic_plan."):
            # "On n'en a pas": a missing part of the strategic plan, for the gate to report; never data.
            self._advance(state, topic_id)
            return self._t("skipped", state) + "\n" + self.question(state)
        if is_skip(message, words=self.parsing) or not message or self._non_answer(topic_id, message):
            return self._skip(state, topic_id)
        try:
            notes = self._answer(state, topic_id, message)
        except AnswerError as exc:
            return self._again(state, exc)
        if state.done:
            return self._t("done", state)
        return "\n".join([*notes, self.question(state)])

    def _answer(self, state: InterviewState, topic_id: str, message: str) -> list[str]:
        """Parse, store, advance; returns notes to show before the next question."""
        if topic_id == "worksheet.offer":
            state.pending.pop(0)
            state.asked.append(topic_id)
            if parse_yes_no(message, words=self.parsing):
                state.worksheet = True
                missing = [t for t in WORKSHEET_TOPICS.values() if not state.answers.get(t)]
                state.pending[0:0] = missing
            return []
        value = self.parse(topic_id, message, state)
        if topic_id == "confirm" and value is False:
            return [self._t("not_yet", state)]
        if topic_id == "confirm" and (note := self.reopen(state)):
            return [note]  # never done with an answer the intake would refuse
        self._apply(state, topic_id, value)
        notes = self._smart_notes(state, topic_id, value)
        self._advance(state, topic_id)
        return notes

    def _apply(self, state: InterviewState, topic_id: str, value: Any) -> None:
        if topic_id == "language":
            state.language = value
            value = value.value
        state.answers[topic_id] = value

    def _non_answer(self, topic_id: str, message: str) -> bool:
        """ "on n'en a pas", "aucun", "nothing really", "TBD" to a free-text question: a skip, never data
        (a pain question's "rien" is an answer, handled by its parser)."""
        if topic_id.startswith(("pain_points.", "maturity.")) or topic_id in ("worksheet.offer", "confirm"):
            return False
        if self.script.topic(topic_id).kind not in ("text", "list", "objectives"):
            return False
        return is_non_answer(message, self.script)

    def _expects_text(self, state: InterviewState) -> bool:
        current = state.current
        return current is not None and self.script.topic(current).kind in ("text", "list", "objectives", "pains")

    def _settle(self, state: InterviewState, topic_id: str) -> None:
        """A topic answered out of turn (a correction, a rich message): the question it answers is not
        asked again, and when it is the current one the interview moves on exactly as after an answer."""
        if state.current == topic_id:
            self._advance(state, topic_id)
        elif topic_id in state.pending:
            state.pending.remove(topic_id)

    def _advance(self, state: InterviewState, topic_id: str) -> None:
        state.pending.pop(0)
        state.asked.append(topic_id)
        if topic_id in state.revisit:
            state.revisit.remove(topic_id)
            # Back where the owner was: the answers after it, kept, are not asked again.
            while state.pending and state.pending[0] in state.revisit and state.pending[0] in state.answers:
                kept = state.pending.pop(0)
                state.revisit.remove(kept)
                state.asked.append(kept)
        if topic_id == "strategic_plan.exists" and state.answers[topic_id]:
            topics = [t.id for t in self.script.topics if t.stage == "strategic_plan"][1:]
            state.pending[0:0] = [t for t in topics if t not in state.answers]
        if flow.strategy_over(state, topic_id):
            self._after_strategy(state)
        elif topic_id.startswith("pain_points.") and self.symptom_for is not None:
            follow_ups.offer(state, topic_id, self.symptom_for)
        elif topic_id == "confirm":
            state.done = True
        if not state.pending and not state.done:
            state.pending.append("confirm")
        state.stage = flow.stage_of(self.script, state)

    def _after_strategy(self, state: InterviewState) -> None:
        """Run the gate; when it fails, explain and offer the worksheet; then the diagnostic."""
        flow.queue_diagnostic(state, self.script, self.dimensions, gate_ready=self._gate_ready(state))

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
        missing = "\n".join(f"- {line}" for line in gate.missing_messages(state.language, self.wording))
        return self._t("papillon", state, missing=missing)

    def _smart_notes(self, state: InterviewState, topic_id: str, value: Any) -> list[str]:
        notes = []
        if self.script.topic(topic_id).kind == "objectives":
            notes += coaching.smart_notes(self.script, state, topic_id, value, self.today)
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

    def _answer_follow_up(self, state: InterviewState, message: str) -> str:
        try:
            if (outcome := follow_ups.answer(state, message, self.parsing)) == "ask_again":
                raise AnswerError(self.parsing.hints.yes_no.hint())
        except AnswerError as exc:  # neither yes nor no, or words that make the problem too long
            return self._again(state, exc)
        lead = self._t("clarified", state) + "\n" if outcome == "clarified" else ""
        return lead + self.question(state)

    def _skip(self, state: InterviewState, topic_id: str) -> str:
        if topic_id == "worksheet.offer" or topic_id.startswith(("maturity.", "pain_points.")):
            optional = True
        else:
            optional = self.script.topic(topic_id).optional
        if not optional and topic_id not in state.answers:
            return self._t("required", state) + "\n" + self.question(state)
        if topic_id in state.answers:  # a question seen again after "back": skipping keeps the answer
            self._advance(state, topic_id)
            return self._t("kept", state) + "\n" + self.question(state)
        self._advance(state, topic_id)
        return self._t("skipped", state) + "\n" + self.question(state)

    def _back(self, state: InterviewState) -> str:
        state.follow_ups.clear()
        if not state.asked:
            return self._t("nothing_back", state) + "\n" + self.question(state)
        previous = state.asked.pop()
        # Going back moves the cursor, never erases: the answer stays unless the owner gives another.
        state.done = False
        state.pending.insert(0, previous)
        if previous in state.answers and previous not in state.revisit:
            state.revisit.append(previous)
        state.stage = flow.stage_of(self.script, state)
        return self._t("back", state) + "\n" + self.question(state)

    def _edit_pain(self, state: InterviewState, action: str, number: int, text: str | None) -> str:
        """ "corriger le point 3 : …" / "supprimer le point 2": the problems as the summary numbers them."""
        try:
            key, params = summary.edit_pain(state, action, number, text, lambda t: self.answers.parse("pain_points", t))
        except AnswerError as exc:
            return self._again(state, exc)
        except ValueError:  # no new text ("rien"): ask for the problem in a few words
            return self._again(state, AnswerError(self.script.hints.hint("pains")))
        return self._t(key, state, **params) + "\n" + self.question(state)

    def _correct(self, state: InterviewState, field: str, raw: str) -> str:
        topic_id = field_topic(field, self.script)
        if topic_id is None:
            fields = ", ".join(
                label.get(state.language) for t, label in self.script.labels.items() if t in self.script.field_aliases
            )
            return self._t("unknown_field", state, fields=fields) + "\n" + self.question(state)
        try:
            value = self.parse(topic_id, raw, state)
        except AnswerError as exc:
            return self._again(state, exc)
        self._apply(state, topic_id, value)
        self._settle(state, topic_id)
        field_label = summary.label(self.script, self.dimensions, topic_id, state.language)
        return (
            self._t("corrected", state, field=field_label, value=self.shown(state, topic_id))
            + "\n"
            + self.question(state)
        )

    def _t(self, key: str, state: InterviewState, **params: object) -> str:
        return self.texts.render(key, state.language, **params)

    def _again(self, state: InterviewState, error: AnswerError) -> str:
        """The answer is refused: why (a broken limit is said as it is), then the question again."""
        hint = error.hint[state.language]
        lead = hint if isinstance(error, limits.LimitError) else self._t("ask_again", state, hint=hint)
        return f"{lead}\n{self.question(state)}"


def _dimension(topic_id: str) -> Dimension:
    return Dimension(topic_id.split(".", 1)[1])
