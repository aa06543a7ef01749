"""One explicit configuration object, built at the edge (CLI, UI) and passed down.

Every field can be set from a ``PLANNUM_*`` environment variable, e.g.
``PLANNUM_DATA_DIR=/tmp/plannum``. Nothing in the package reads the
environment anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent


def repository_path(name: str) -> Path:
    """``knowledge/`` or ``prompts/``: inside the wheel, or at the repository top level."""
    bundled = _PACKAGE_DIR / "_bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE_DIR.parent.parent / name


class Settings(BaseSettings):
    """Where plannum reads its knowledge and keeps its data, and its limits."""

    model_config = SettingsConfigDict(env_prefix="PLANNUM_", extra="forbid", frozen=True, populate_by_name=True)

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("plannum-assistant", appauthor=False)),
        description="Per-user data directory: retrieval index, caches, sessions.",
    )
    knowledge_dir: Path = Field(
        default_factory=lambda: repository_path("knowledge"),
        description="Curated knowledge: catalogue/, dimensions.yaml.",
    )
    prompts_dir: Path = Field(
        default_factory=lambda: repository_path("prompts"), description="Prompt templates of the LLM engine."
    )
    max_query_chars: int = Field(default=2000, ge=10, description="Longest accepted search query.")
    gate_max_age_months: int = Field(default=24, ge=1, description="Oldest acceptable strategic plan.")
    embedding_threads: int = Field(default=2, ge=1, description="BLAS threads for the embedding model.")

    # The LLM engine: off unless a provider is configured (a key, or a local server's URL).
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"),
        description="OpenAI key; never logged. Local servers (Ollama, llama.cpp, vLLM) need none.",
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1"
    )
    llm_model: str = Field(default="gpt-4o-mini", min_length=1)
    llm_method: Literal["json_schema", "function_calling", "json_mode"] = Field(
        default="json_schema", description="How the model is asked for structured output."
    )
    llm_timeout: float = Field(default=30.0, gt=0, le=600, description="Seconds before a call falls back offline.")
    llm_max_repairs: int = Field(default=2, ge=0, le=5, description="Validation errors fed back before falling back.")
    llm_max_tokens: int = Field(default=800, ge=64, le=8192, description="Longest model answer per call.")
    llm_plan_max_tokens: int = Field(
        default=3000, ge=256, le=32768, description="Longest plan draft per call (plans are longer than turns)."
    )

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.llm_base_url is not None

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def catalogue_dir(self) -> Path:
        return self.knowledge_dir / "catalogue"

    @property
    def dimensions_file(self) -> Path:
        return self.knowledge_dir / "dimensions.yaml"

    @property
    def planner_file(self) -> Path:
        return self.knowledge_dir / "planner.yaml"

    @property
    def interview_file(self) -> Path:
        return self.knowledge_dir / "interview.yaml"

    @property
    def parsing_file(self) -> Path:
        return self.knowledge_dir / "parsing.yaml"

    @property
    def sectors_file(self) -> Path:
        return self.knowledge_dir / "sectors.yaml"

    @property
    def measures_file(self) -> Path:
        return self.knowledge_dir / "measures.yaml"

    @property
    def wording_file(self) -> Path:
        return self.knowledge_dir / "wording.yaml"

    @property
    def ranker_file(self) -> Path:
        return self.knowledge_dir / "ranker.yaml"

    @property
    def owner_statements_file(self) -> Path:
        return self.knowledge_dir / "owner_statements.yaml"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment plus explicit overrides, as a clear error if invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"PLANNUM_{field.upper()}: {error['msg']}") from None
