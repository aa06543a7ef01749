"""The multilingual encoder registered as a Chroma embedding function (used to build the index).

Chroma persists the function's *name* with the collection and looks it up in
its registry when the collection is reopened, so this module must be imported
before any client opens the index (``index.py`` does). The encoder itself is
:class:`~plannum_assistant.encoder.Encoder`, which needs no Chroma.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from .encoder import EMBEDDING_FUNCTION_NAME, Encoder


@register_embedding_function
class MultilingualEncoder(EmbeddingFunction[Documents]):
    """512-dimension unit vectors; cosine space."""

    def __init__(self, threads: int = 2, cache_dir: Path | None = None, encoder: Encoder | None = None) -> None:
        self.threads = threads
        self.encoder = encoder or Encoder(threads=threads, cache_dir=cache_dir)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encoder(list(input)))

    @staticmethod
    def name() -> str:
        return EMBEDDING_FUNCTION_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MultilingualEncoder:
        return MultilingualEncoder(threads=int(config.get("threads", 2)))


def open_store(folder: Path) -> Any:
    """A Chroma client on ``folder``, telemetry off (this module's import registered the embedding function)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(folder), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


def release_clients() -> None:
    """Close cached Chroma systems so the folder can be renamed safely."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
