"""The persistent dense index: a Chroma collection of catalogue texts.

The index lives in ``<data_dir>/index`` with a ``manifest.json`` naming the
catalogue content hash and the embedding function it was built from. It is
rebuilt only when either changes. A build writes to a sibling ``.partial``
folder and swaps it in with a rename once complete, so an interrupted build
never leaves a half-written index behind.

Chroma is the store (its server mode is the path to a larger catalogue), but a
catalogue-sized collection is searched *exactly*: every query is scored against
every stored vector in process. Chroma's HNSW search is approximate, and a rank
that moves at the margin between two processes turned into a different plan.
A build exports the stored vectors, read back from Chroma, to ``vectors.npz``
beside the manifest (swapped in with the folder); searches load that snapshot,
so planning and searching never import Chroma (half a second of every cold start).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import Catalogue
from .encoder import EMBEDDING_FUNCTION_NAME, Encoder
from .errors import IndexError_
from .files import read_arrays
from .ranker import ARTIFACT as CLASSIFIER
from .ranker import EntryClassifier, OwnerStatements, RankerConfig, train, training_digest
from .settings import Settings
from .vocabulary import Language

# 2: the exact-search snapshot (vectors.npz); 3: the entry classifier (classifier.npz). The manifest
# names the catalogue hash and the classifier's training inputs; bump this when the stored format,
# the tokenizer (text.py) or the training code (ranker.py) changes what a build would produce.
SCHEMA_VERSION = 3
COLLECTION = "catalogue"
SNAPSHOT = "vectors.npz"
Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


def _save_snapshot(path: Path, stored: StoredVectors) -> None:
    np.savez(
        path,
        matrix=stored.matrix,
        entry_ids=np.asarray(stored.entry_ids),
        texts=np.asarray(stored.texts),
        languages=np.asarray(stored.languages),
    )


def _load_snapshot(path: Path) -> StoredVectors:
    with read_arrays(path) as data:
        return StoredVectors(
            matrix=np.asarray(data["matrix"], dtype=np.float32),
            entry_ids=[str(x) for x in data["entry_ids"]],
            texts=[str(x) for x in data["texts"]],
            languages=[str(x) for x in data["languages"]],
        )


def _position(text_id: str) -> tuple[str, int]:
    """``crm:12`` -> ("crm", 12): a stable order that does not depend on how Chroma returns rows."""
    entry_id, _, number = text_id.rpartition(":")
    return entry_id, int(number)


@dataclass(frozen=True)
class StoredVectors:
    """Every text of the collection, in id order: one unit vector per row."""

    matrix: np.ndarray  # (texts, dimensions), float32
    entry_ids: list[str]
    texts: list[str]
    languages: list[str]


class DenseIndex:
    """Opens (or builds) the Chroma collection for a catalogue."""

    def __init__(
        self, settings: Settings, catalogue: Catalogue, ranker: RankerConfig, statements: OwnerStatements
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.ranker = ranker
        self.statements = statements
        self.path = settings.index_dir
        self._collection: Any = None
        self._vectors: StoredVectors | None = None
        self._classifier: EntryClassifier | None = None
        self._encoder_instance: Encoder | None = None
        self._lock = threading.RLock()  # one build or open at a time when web handlers share the index

    @property
    def manifest(self) -> dict[str, object]:
        return {
            "schema": SCHEMA_VERSION,
            "catalogue_hash": self.catalogue.content_hash,
            "embedding_function": EMBEDDING_FUNCTION_NAME,
            "documents": sum(1 for entry in self.catalogue for _ in entry.documents()),
            "classifier": training_digest(self.ranker, self.statements),
        }

    def is_current(self) -> bool:
        try:
            return bool(json.loads((self.path / "manifest.json").read_text()) == self.manifest)
        except (OSError, ValueError):
            return False

    def collection(self, progress: Progress = _silent) -> Any:
        """The ready collection, building the index first if it is missing or stale."""
        with self._lock:
            if self._collection is None:
                if not self.is_current():
                    self.build(progress)
                self._collection = self._open(self.path).get_collection(
                    COLLECTION, embedding_function=self._chroma_encoder()
                )
            return self._collection

    def ensure(self, progress: Progress = _silent) -> None:
        """Build the index if it is missing or stale (the only step that needs Chroma)."""
        with self._lock:
            if not self.is_current():
                self.build(progress)

    def vectors(self, progress: Progress = _silent) -> StoredVectors:
        """All stored vectors, once per process (exact search needs them all): the build's snapshot,
        or, when it is missing, read from the collection."""
        with self._lock:
            if self._vectors is None:
                self.ensure(progress)
                try:
                    self._vectors = _load_snapshot(self.path / SNAPSHOT)
                except (OSError, ValueError, KeyError):
                    self._vectors = self._read_vectors(self.collection(progress))
            return self._vectors

    def classifier(self, progress: Progress = _silent) -> EntryClassifier:
        """The entry classifier trained with this index (:mod:`.ranker`), once per process. When the
        stored one is missing or damaged it is trained again and stored back (once, not every run)."""
        with self._lock:
            if self._classifier is None:
                self.ensure(progress)
                path = self.path / CLASSIFIER
                try:
                    self._classifier = EntryClassifier.load(path, self.catalogue.ids)
                except (OSError, ValueError) as exc:
                    progress(f"{path}: {exc}; training the entry classifier again")
                    try:
                        self._classifier = self._train(self.vectors(progress), progress)
                    except ValueError as failed:
                        raise IndexError_(f"entry classifier: {failed}") from failed
                    self._store(self._classifier, path)
            return self._classifier

    @staticmethod
    def _store(model: EntryClassifier, path: Path) -> None:
        """Write beside the index atomically; a read-only or full disk keeps the model in memory only."""
        partial = path.with_name(f"{path.stem}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}.npz")
        try:
            model.save(partial)
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)

    def _train(self, stored: StoredVectors, progress: Progress) -> EntryClassifier:
        """Raises ``ValueError`` when training diverges (see ``ranker.yaml``)."""
        statements = self.statements.statements
        progress(f"training the entry classifier ({len(stored.texts)} catalogue texts, {len(statements)} statements)…")
        extra = self.encoder()([s.text for s in statements]) if statements else np.zeros((0, stored.matrix.shape[1]))
        return train(
            self.catalogue.ids,
            np.vstack([stored.matrix, np.asarray(extra, dtype=np.float32)]),
            [*stored.texts, *(s.text for s in statements)],
            [*(Language(x) for x in stored.languages), *(s.language for s in statements)],
            [*stored.entry_ids, *(s.answer[0] for s in statements)],
            self.ranker.training,
        )

    @staticmethod
    def _read_vectors(collection: Any) -> StoredVectors:
        stored = collection.get(include=["embeddings", "documents", "metadatas"])
        order = sorted(range(len(stored["ids"])), key=lambda i: _position(stored["ids"][i]))
        matrix = np.asarray([stored["embeddings"][i] for i in order], dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        metadata = [dict(stored["metadatas"][i]) for i in order]
        return StoredVectors(
            matrix=matrix,
            entry_ids=[str(m["entry_id"]) for m in metadata],
            texts=[str(stored["documents"][i]) for i in order],
            languages=[str(m["language"]) for m in metadata],
        )

    def build(self, progress: Progress = _silent) -> int:
        """Build from scratch into a partial folder, then swap it in. Returns the document count."""
        with self._lock:
            return self._build(progress)

    def _build(self, progress: Progress) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            count = self._fill(partial, progress)
            collection = self._open(partial).get_collection(COLLECTION, embedding_function=self._chroma_encoder())
            stored = self._read_vectors(collection)
            _save_snapshot(partial / SNAPSHOT, stored)
            self._train(stored, progress).save(partial / CLASSIFIER)
            (partial / "manifest.json").write_text(json.dumps(self.manifest, indent=2))
            self._release_clients()
            self._swap_in(partial)
        except Exception as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, IndexError_):
                raise
            raise IndexError_(f"{self.path}: index build failed: {exc}") from exc
        except BaseException:  # Ctrl-C: leave nothing half-written behind
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self._collection = None
        self._vectors = None
        self._classifier = None
        return count

    def _fill(self, folder: Path, progress: Progress) -> int:
        ids, texts, metadatas = [], [], []
        for entry in self.catalogue:
            for position, (language, text) in enumerate(entry.documents()):
                ids.append(f"{entry.id}:{position}")
                texts.append(text)
                metadata: dict[str, str | bool] = {
                    "entry_id": entry.id,
                    "language": language.value,
                    "function": entry.function.value,
                }
                metadata.update({f"dim_{dimension.value}": True for dimension in entry.dimensions})
                metadatas.append(metadata)
        progress(f"embedding {len(texts)} catalogue texts ({len(self.catalogue)} entries)…")
        encoder = self._chroma_encoder()
        collection = self._open(folder).create_collection(
            COLLECTION, embedding_function=encoder, configuration={"hnsw": {"space": "cosine"}}
        )
        batch = 256
        for start in range(0, len(texts), batch):
            stop = start + batch
            collection.add(ids=ids[start:stop], documents=texts[start:stop], metadatas=metadatas[start:stop])
            progress(f"indexed {min(stop, len(texts))}/{len(texts)}")
        return len(texts)

    def _swap_in(self, partial: Path) -> None:
        retired = self.path.with_name(f"{self.path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        if self.path.exists():
            self.path.rename(retired)
        partial.rename(self.path)
        shutil.rmtree(retired, ignore_errors=True)

    def encoder(self) -> Encoder:
        """The query encoder (the model itself loads on first use; no Chroma import)."""
        with self._lock:
            if self._encoder_instance is None:
                self._encoder_instance = Encoder(
                    threads=self.settings.embedding_threads, cache_dir=self.settings.data_dir / "cache"
                )
            return self._encoder_instance

    def _chroma_encoder(self) -> Any:
        """The same encoder registered as a Chroma embedding function (building and opening the store)."""
        from .embeddings import MultilingualEncoder

        return MultilingualEncoder(threads=self.settings.embedding_threads, encoder=self.encoder())

    @staticmethod
    def _open(folder: Path) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        from . import embeddings  # noqa: F401  registers the embedding function before any lookup

        return chromadb.PersistentClient(
            path=str(folder), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )

    @staticmethod
    def _release_clients() -> None:
        """Close cached Chroma systems so the folder can be renamed safely."""
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
