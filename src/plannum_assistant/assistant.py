"""The one core API that the CLI (and later the web chat, exports and triage) call.

An :class:`Assistant` is built from a :class:`~plannum_assistant.settings.Settings`
and loads what it needs lazily: the catalogue on first use, the retrieval
index (and its embedding model) only when a search needs it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from .catalogue import Catalogue, load_catalogue
from .gate import GateResult, check_prerequisites
from .index import DenseIndex, Progress
from .intake import Intake
from .interview import Engine, InterviewScript, OfflineEngine, load_script
from .interview.follow_ups import Asked
from .knowledge import Dimensions, PlannerConfig, Wording, load_dimensions, load_planner_config, load_wording
from .models import StrategicPlan
from .parsing import ParsingWords, load_parsing
from .report import MaturityProfile, PlanReport
from .retrieval import Hit, Mode, Retriever
from .settings import Settings
from .vocabulary import BusinessFunction, Dimension, Language, SizeBand

PlanEngineChoice = Literal["auto", "offline", "llm"]

if TYPE_CHECKING:
    from .consultant_note import ConsultantNote
    from .plan_store import PlanStore
    from .planning import OfflinePlanner, PlanContext, PlanEngine, PlanOutcome
    from .review import Reviewer, StoredPlan
    from .sessions import SessionStore


class Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.settings.catalogue_dir)

    @cached_property
    def dimensions(self) -> Dimensions:
        return load_dimensions(self.settings.dimensions_file)

    @cached_property
    def planner_config(self) -> PlannerConfig:
        return load_planner_config(self.settings.planner_file)

    @cached_property
    def wording(self) -> Wording:
        return load_wording(self.settings.wording_file)

    @cached_property
    def parsing_words(self) -> ParsingWords:
        return load_parsing(self.settings.parsing_file)

    @cached_property
    def plan_context(self) -> PlanContext:
        """What every plan engine's stages share (catalogue cues, configuration, wording)."""
        from .lexicon import load_measures, load_sectors
        from .planning import PlanContext
        from .planning.types import PlanKnowledge

        return PlanContext(
            self.catalogue,
            self.retriever,
            self.planner_config,
            self.wording,
            sectors=load_sectors(self.settings.sectors_file),
            measures=load_measures(self.settings.measures_file),
            knowledge=PlanKnowledge.load(self.settings.knowledge_dir),
            gate_max_age_months=self.settings.gate_max_age_months,
            retriever_query_chars=self.settings.max_query_chars,
        )

    @cached_property
    def offline_planner(self) -> OfflinePlanner:
        """The offline plan engine (deterministic, no model call)."""
        from .planning import OfflinePlanner

        return OfflinePlanner(self.plan_context)

    def plan_engines(self, choice: PlanEngineChoice = "offline") -> list[PlanEngine]:
        """The engines tried in order, the offline planner last."""
        from .errors import ConfigError

        if choice == "llm" and not self.settings.llm_configured:
            raise ConfigError("--engine llm needs a provider: set OPENAI_API_KEY or PLANNUM_LLM_BASE_URL")
        if choice == "offline" or not self.settings.llm_configured:
            return [self.offline_planner]
        from .planning.llm import LLMPlanEngine, load_plan_prompts
        from .providers import build_chat_model

        settings = self.settings
        model = build_chat_model(settings, settings.llm_plan_max_tokens)
        prompts, problems = load_plan_prompts(settings.prompts_dir)
        drafting = LLMPlanEngine(
            self.offline_planner,
            model,
            prompts,
            self.catalogue,
            model_name=settings.llm_model,
            method=settings.llm_method,
            max_repairs=settings.llm_max_repairs,
            problems=problems,
            timeout=settings.llm_timeout,
        )
        return [drafting, self.offline_planner]

    @cached_property
    def dense_index(self) -> DenseIndex:
        from .ranker import load_ranker_config

        return DenseIndex(
            self.settings,
            self.catalogue,
            load_ranker_config(self.settings.ranker_file),
            self.settings.owner_statements_file,
        )

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.catalogue, self.dense_index, max_query_chars=self.settings.max_query_chars)

    def build_index(self, *, force: bool = False, progress: Progress | None = None) -> bool:
        """Build the dense index if stale or damaged (or always with ``force``). True when it was built."""
        return self.dense_index.update(progress or (lambda _: None), force=force)

    def search(
        self,
        query: str,
        *,
        top_k: int = 5,
        mode: Mode = "hybrid",
        function: BusinessFunction | None = None,
        dimension: Dimension | None = None,
        progress: Progress | None = None,
    ) -> list[Hit]:
        # Validate the query before paying for the index or the model.
        self.retriever.check_query(query)
        self.dense_index.vectors(progress or (lambda _: None))
        return self.retriever.search(query, top_k=top_k, mode=mode, function=function, dimension=dimension)

    def check_gate(self, plan: StrategicPlan | None, today: date) -> GateResult:
        return check_prerequisites(plan, today=today, max_age_months=self.settings.gate_max_age_months)

    def plan(
        self, intake: Intake, today: date, *, progress: Progress | None = None, engine: PlanEngineChoice = "offline"
    ) -> PlanReport:
        """A validated draft plan (or the gate's explanation) for an intake."""
        return self.draft(intake, today, progress=progress, engine=engine).report

    def draft(
        self, intake: Intake, today: date, *, progress: Progress | None = None, engine: PlanEngineChoice = "offline"
    ) -> PlanOutcome:
        """:meth:`plan` with the record of every engine attempt (fallbacks are also told to ``progress``).
        ``engine``: "offline"; "llm" (a configured provider drafts, the offline planner as its floor);
        "auto" (llm when a provider is configured)."""
        from .planning import draft_plan

        notify = progress or (lambda _: None)
        self.dense_index.vectors(notify)
        return draft_plan(
            self.plan_engines(engine),
            intake,
            today,
            self.catalogue,
            max_repairs=self.settings.llm_max_repairs,
            notify=notify,
        )

    def maturity_profile(self, scores: dict[Dimension, int], language: Language) -> MaturityProfile:
        """The maturity profile of the scores given so far (the web app's live radar)."""
        from .planning.content import maturity

        return maturity(self.plan_context, scores, language)

    def intake_from_session(self, session_id: str, *, finished: bool = True) -> Intake:
        """The intake an interview session amounts to. ``finished``: the interview must have reached its
        end (a plan is drafted only from a confirmed interview); InterviewError says what to do otherwise."""
        from .errors import InterviewError
        from .interview import build_intake

        state = self.sessions.load(session_id)
        if finished and not state.done:
            raise InterviewError(
                f"session {session_id} is not finished: resume it with 'plannum chat --session {session_id}' "
                "and confirm the summary, then draft its plan"
            )
        return build_intake(state)

    def consultant_note(
        self, today: date, *, intake: Intake | None = None, report: PlanReport | None = None
    ) -> ConsultantNote:
        """The pre-engagement note for an intake (drafted now) or an existing plan report."""
        from .consultant_note import build_note, load_note_knowledge

        knowledge = load_note_knowledge(self.settings.knowledge_dir)
        if intake is None:
            if report is None:
                raise ValueError("consultant_note needs an intake or a report")
            return build_note(
                report, knowledge, self.wording, leads=self._leads(report, [p.text for p in report.pain_points])
            )
        report = self.plan(intake, today)
        constraints = intake.constraints
        envelope: float | None
        if constraints.budget_cad is not None:
            envelope, currency = constraints.budget_cad, "CAD"
        else:
            envelope, currency = constraints.budget, self._currency_of(intake.company.region)
        return build_note(
            report,
            knowledge,
            self.wording,
            systems=intake.existing_systems,
            envelope=envelope,
            currency=currency,
            leads=self._leads(report, intake.pain_points),
        )

    def _leads(self, report: PlanReport, pains: list[str]) -> dict[str, list[str]]:
        """When the plan has no initiative (gate not ready): each pain's two closest catalogue entries."""
        if report.initiatives or not pains:
            return {}
        found = [self.search(text, top_k=2) for text in pains]
        return {p.id: [h.name for h in hits] for p, hits in zip(report.pain_points, found, strict=False)}

    @cached_property
    def plans(self) -> PlanStore:
        """Stored plans under review, beside the sessions (same database)."""
        from .plan_store import PlanStore

        return PlanStore(self.sessions)

    def save_plan(self, report: PlanReport, source: str, who: str = "plannum") -> StoredPlan:
        """Store a drafted plan for review; its id is new, every item is proposed."""
        import uuid

        from .review import Change, new_stored_plan

        plan = new_stored_plan(uuid.uuid4().hex[:12], report)
        change = Change(
            reviewer=who, at=datetime.now(UTC).isoformat(timespec="seconds"), action="create", comment=source
        )
        self.plans.create(plan, report.company.name, source, change)
        return plan

    def initiative_for_review(
        self, plan: StoredPlan, entry_id: str, addresses: list[str], supports: list[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """An initiative a reviewer adds from the catalogue, with its activities built as the planner
        builds them (size band, roles, narrowed budget), starting on the plan's date."""
        from .intake import Intake
        from .planning import actions as stage_actions

        if entry_id not in self.catalogue:
            from .review import ReviewError

            raise ReviewError(f"refused: {entry_id!r} is not in the catalogue (see 'plannum search WORDS')")
        language = Language(plan.report["language"])
        company = plan.report["company"]
        intake = Intake.model_validate({"language": language.value, "company": company})
        entry = self.catalogue[entry_id]
        start = date.fromisoformat(plan.report["today"])
        band = SizeBand.for_employees(company["employees"])
        ctx = self.plan_context
        actions = stage_actions.actions(ctx, entry, start, band, intake, set(), language)
        title = ctx.title(entry_id, language, ctx.knowledge.regions.place(company.get("region")).country)
        initiative = {
            "catalogue_id": entry_id,
            "title": title,
            "addresses": addresses,
            "supports": supports,
            "priority": 1,
            "horizon": "0-6",
            "start": start.isoformat(),
            "rationale": self.wording.text("review.added", language),
            "evidence": [p["text"] for p in plan.report["pain_points"] if p["id"] in addresses],
        }
        return initiative, actions.model_dump(mode="json")

    def reviewer(self) -> Reviewer:
        from .review import Reviewer

        return Reviewer(self.plan_context, datetime.now(UTC))

    @cached_property
    def sessions(self) -> SessionStore:
        from .sessions import SessionStore

        return SessionStore(self.settings.data_dir / "sessions.db")

    @cached_property
    def interview_script(self) -> InterviewScript:
        return load_script(self.settings.interview_file)

    def offline_engine(self, today: date) -> OfflineEngine:
        """The guided interview, with catalogue symptoms offered to sharpen vague pain points."""
        return OfflineEngine(
            self.interview_script,
            self.dimensions,
            today=today,
            symptom_for=self._closest_symptom,
            gate_max_age_months=self.settings.gate_max_age_months,
            parsing=self.parsing_words,
            wording=self.wording,
            currency_of=self._currency_of,
        )

    def _currency_of(self, region: str | None) -> str:
        regions = self.plan_context.knowledge.regions
        return regions.currency(regions.place(region))

    def engine(self, today: date) -> Engine:
        """The LLM engine when a provider is configured, else the offline engine. Never builds a
        chat model without configuration."""
        offline = self.offline_engine(today)
        if not self.settings.llm_configured:
            return offline
        from .interview.llm import LLMEngine, load_prompts
        from .providers import build_chat_model

        return LLMEngine(
            offline,
            build_chat_model(self.settings),
            load_prompts(self.settings.prompts_dir),
            self.catalogue,
            method=self.settings.llm_method,
            max_repairs=self.settings.llm_max_repairs,
            timeout=self.settings.llm_timeout,
        )

    def _closest_symptom(self, text: str, language: Language, asked: Asked) -> str | None:
        """The symptom of the closest entry that fits the question's function and the company (no
        "physically hard tasks" for an accounting firm)."""
        context = self.plan_context
        sectors = context.sectors.matches(asked.sector or "")
        misfits = context.misfits(sectors, asked.employees or 1) if asked.sector else frozenset()
        for hit in self.search(text, top_k=8, function=asked.function) or self.search(text, top_k=8):
            if hit.id in misfits:
                continue
            entry = self.catalogue[hit.id]
            return hit.matched if hit.matched in entry.symptoms.get(language) else entry.symptoms.get(language)[0]
        return None

    def preview(self, intake: Intake, today: date, *, top_k: int = 5) -> tuple[GateResult, list[list[Hit]]]:
        """The gate on the intake's strategic plan, and the grounded candidates for each pain point."""
        plan = intake.strategic_plan.to_model() if intake.strategic_plan else None
        return self.check_gate(plan, today), [self.search(text, top_k=top_k) for text in intake.pain_points]
