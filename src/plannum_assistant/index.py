"""The persistent dense index: a Chroma collection of catalogue texts.

The index lives in ``<data_dir>/index`` with a ``manifest.json`` naming the
catalogue content hash and the embedding function it was built from. It is
rebuilt only when either changes, or when it is damaged. A build writes to a
sibling ``.partial`` folder and swaps it in with a rename once complete, so an
interrupted build never leaves a half-written index behind.

Chroma is the store (its server mode is the path to a larger catalogue), but a
catalogue-sized collection is searched *exactly*: every query is scored against
every stored vector in process. Chroma's HNSW search is approximate, and a rank
that moves at the margin between two processes turned into a different plan.
A build exports the stored vectors, read back from Chroma, to ``vectors.npz``
beside the manifest (swapped in with the folder); searches load that snapshot,
so planning and searching never import Chroma (half a second of every cold start).

Integrity (:mod:`.index_files`): the manifest seals every file of the build. Opening the
index checks the archives searches read against it (free: zip checks them as it reads) and
their row count; a process's first embedding also encodes two of the index's own texts (the
probe) and checks their known nearest entry. ``plannum index`` checksums every file, Chroma's
included. Whatever is damaged is rebuilt, and one line says so.

Concurrency (:mod:`.locks`): one build at a time (``index.build.lock``: the others wait, then
use its result); the swap holds ``index.lock`` exclusively, readers hold it shared while they
load, so they see the old index or the new one, never half of each. Leftovers of killed
builds are removed under the build lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import Catalogue
from .encoder import EMBEDDING_FUNCTION_NAME, Encoder
from .errors import CatalogueError, IndexError_
from .files import MAX_FILE_BYTES, read_limited
from .index_files import (
    MANIFEST,
    SNAPSHOT,
    StoredVectors,
    Unusable,
    answers,
    check_archive,
    check_files,
    choose_probes,
    discard,
    leftovers,
    load_snapshot,
    read_collection,
    read_manifest,
    save_snapshot,
    seal,
)
from .locks import file_lock, try_lock
from .ranker import ARTIFACT as CLASSIFIER
from .ranker import (
    EntryClassifier,
    OwnerStatements,
    RankerConfig,
    load_owner_statements,
    train_for_index,
    training_digest,
)
from .settings import Settings
from .storage import ensure_folder, storage_error

__all__ = ["COLLECTION", "SCHEMA_VERSION", "SNAPSHOT", "DenseIndex", "Progress", "StoredVectors"]

# 2: the exact-search snapshot (vectors.npz); 3: the entry classifier (classifier.npz); 4: the manifest
# seals every file and holds the probe; 5: the classifier stores its balance adjustment. The manifest
# names the catalogue hash and the classifier's training inputs; bump this when the stored format, the
# tokenizer (text.py) or the training code (ranker.py) changes what a build would produce.
SCHEMA_VERSION = 5
COLLECTION = "catalogue"
READ_WAIT_S = 60.0  # a swap holds readers for two renames
BUILD_WAIT_S = 1200.0  # another process's build (15 s to a few minutes)
Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


@dataclass(frozen=True)
class _Opened:
    """What a process reads from one build, checked together under the read lock."""

    manifest: dict[str, Any]
    vectors: StoredVectors
    classifier: EntryClassifier


class DenseIndex:
    """Opens (or builds) the index for a catalogue: checked, shared safely between processes."""

    def __init__(self, settings: Settings, catalogue: Catalogue, ranker: RankerConfig, statements_file: Path) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.ranker = ranker
        self.statements_file = statements_file
        # Read once, here (a millisecond): the manifest's digest and a build's training use the same bytes.
        self._statements_bytes = read_limited(statements_file, MAX_FILE_BYTES, CatalogueError)
        self.path = settings.index_dir
        self._opened: _Opened | None = None
        self._probed = False
        self._progress: Progress = _silent
        self._encoder_instance: Encoder | None = None
        self._lock = threading.RLock()  # one build or open at a time when web handlers share the index

    @property
    def manifest(self) -> dict[str, object]:
        """What the index must have been built from (the manifest also records its files and probe)."""
        return {
            "schema": SCHEMA_VERSION,
            "catalogue_hash": self.catalogue.content_hash,
            "embedding_function": EMBEDDING_FUNCTION_NAME,
            "documents": sum(1 for entry in self.catalogue for _ in entry.documents()),
            "classifier": training_digest(self.ranker, self._statements_bytes),
        }

    @cached_property
    def statements(self) -> OwnerStatements:
        """The labelled owner statements the classifier learns from (ids checked), parsed only when needed:
        for a build, or by ``plannum catalogue check``; the manifest needs only the file's bytes."""
        return load_owner_statements(self.statements_file, self.catalogue, self._statements_bytes)

    @property
    def _read_lock(self) -> Path:
        return self.path.with_name(f"{self.path.name}.lock")

    @property
    def _build_lock(self) -> Path:
        return self.path.with_name(f"{self.path.name}.build.lock")

    def is_current(self) -> bool:
        """Built for this catalogue and intact: every file checked against the manifest."""
        return self._problem(thorough=True) is None

    def _problem(self, *, thorough: bool) -> Unusable | None:
        with self._reading():
            try:
                self._read(thorough=thorough)
            except Unusable as problem:
                return problem
        return None

    def _read(self, *, thorough: bool) -> _Opened:
        """The index on disk, checked (caller holds the read lock); raises :class:`Unusable`."""
        manifest, expected = read_manifest(self.path), self.manifest
        if {key: manifest.get(key) for key in expected} != expected:
            raise Unusable("built for another catalogue or plannum version", damaged=False)
        if thorough:
            check_files(self.path, manifest)
        vectors = load_snapshot(self.path / SNAPSHOT, manifest)
        path = self.path / CLASSIFIER
        check_archive(path, manifest)
        try:
            classifier = EntryClassifier.load(path, self.catalogue.ids)
        except (OSError, ValueError) as exc:
            raise Unusable(f"{CLASSIFIER}: {exc}", damaged=True) from exc
        return _Opened(manifest, vectors, classifier)

    def _open(self, progress: Progress) -> _Opened:
        """The checked index, once per process; missing, stale or damaged, it is built first."""
        with self._lock:
            if self._opened is None:
                self._progress = progress
                self._remove_leftovers()
                for attempt in range(2):
                    try:
                        with self._reading():
                            self._opened = self._read(thorough=False)
                        break
                    except Unusable as problem:
                        if attempt:
                            again = "delete that folder and run 'plannum index'"
                            raise IndexError_(f"{self.path}: {problem} right after a rebuild; {again}") from None
                        self._update(progress, force=False, thorough=False)
            assert self._opened is not None
            return self._opened

    @contextlib.contextmanager
    def _reading(self, *, shared: bool = True) -> Iterator[None]:
        """The read lock (exclusive: for the swap); a wait beyond ``READ_WAIT_S`` is one line."""
        try:
            with file_lock(self._read_lock, shared=shared, timeout=READ_WAIT_S):
                yield
        except TimeoutError as exc:
            raise IndexError_(f"{exc}; try again") from None

    def vectors(self, progress: Progress = _silent) -> StoredVectors:
        """All stored vectors, once per process (exact search needs them all), checked; the index is
        built first if it is missing, stale or damaged."""
        return self._open(progress).vectors

    def classifier(self, progress: Progress = _silent) -> EntryClassifier:
        """The entry classifier trained with this index (:mod:`.ranker`), loaded with the vectors."""
        return self._open(progress).classifier

    def update(self, progress: Progress = _silent, *, force: bool = False) -> bool:
        """Build unless the index is current and every file intact (or always with ``force``); True
        when built. Leftovers of killed builds are removed either way."""
        with self._lock:
            return self._update(progress, force=force, thorough=True)

    def _update(self, progress: Progress, *, force: bool, thorough: bool) -> bool:
        ensure_folder(self.path.parent)
        waiting = f"waiting for another plannum process to finish building the index at {self.path}…"
        try:
            with file_lock(self._build_lock, timeout=BUILD_WAIT_S, waiting=lambda: progress(waiting)):
                self._remove_leftovers(locked=True)
                if not force:
                    problem = self._problem(thorough=thorough)
                    if problem is None:  # current, or just built by the process we waited for
                        return False
                    if problem.damaged:
                        progress(f"{self.path}: damaged index ({problem}); rebuilding it")
                self._build(progress)
        except TimeoutError:
            raise IndexError_(
                f"{self.path}: another plannum process has been building the index for "
                f"{BUILD_WAIT_S / 60:.0f} minutes; stop it, then try again"
            ) from None
        return True

    def _remove_leftovers(self, *, locked: bool = False) -> None:
        """Remove the folders of builds that were killed, never one another process is building: only
        under the build lock (held already, or taken here if free at once)."""
        stale = leftovers(self.path)
        if stale:
            with contextlib.nullcontext(True) if locked else try_lock(self._build_lock) as free:
                for folder in stale if free else []:
                    discard(folder)

    def _train(self, stored: StoredVectors, progress: Progress) -> EntryClassifier:
        """Raises ``ValueError`` when training diverges (see ``ranker.yaml``)."""
        statements = self.statements.statements
        progress(f"training the entry classifier ({len(stored.texts)} catalogue texts, {len(statements)} statements)…")
        return train_for_index(self.catalogue.ids, stored, statements, self.encoder(), self.ranker)

    def _build(self, progress: Progress) -> None:
        """Caller holds the build lock."""
        self.statements  # noqa: B018  # a broken training file is its own one line, said before any embedding
        partial = self.path.with_name(f"{self.path.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            partial.mkdir()
        except OSError as exc:  # read-only or full: said before minutes of embedding, not after
            raise storage_error(self.path.parent, exc, "build the index there") from None
        try:
            self._fill(partial, progress)
            collection = self._open_store(partial).get_collection(COLLECTION, embedding_function=self._chroma_encoder())
            stored = read_collection(collection)
            save_snapshot(partial / SNAPSHOT, stored)
            self._train(stored, progress).save(partial / CLASSIFIER)
            self._release_clients()  # Chroma's files are final: they can be sealed and renamed
            manifest = {**self.manifest, **seal(partial, [SNAPSHOT, CLASSIFIER]), "probe": self._probes(stored)}
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
            self._swap_in(partial)
        except Exception as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, IndexError_):
                raise
            if isinstance(exc, OSError):
                raise storage_error(self.path, exc, "build the index") from None
            raise IndexError_(f"{self.path}: index build failed: {exc}") from exc
        except BaseException:  # Ctrl-C: leave nothing half-written behind
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self._opened = None
        self._probed = False

    def _fill(self, folder: Path, progress: Progress) -> None:
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
        collection = self._open_store(folder).create_collection(
            COLLECTION, embedding_function=encoder, configuration={"hnsw": {"space": "cosine"}}
        )
        batch = 256
        for start in range(0, len(texts), batch):
            stop = start + batch
            collection.add(ids=ids[start:stop], documents=texts[start:stop], metadatas=metadatas[start:stop])
            progress(f"indexed {min(stop, len(texts))}/{len(texts)}")

    def _swap_in(self, partial: Path) -> None:
        """Readers hold the read lock while they load: they see the old index or the new one."""
        retired = self.path.with_name(f"{self.path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        with self._reading(shared=False):
            if self.path.exists():
                self.path.rename(retired)
            try:
                partial.rename(self.path)
            except OSError:
                if retired.exists():
                    retired.rename(self.path)
                raise
        discard(retired)

    # --- the probe: the encoder must give the index's own texts back ---------------------------

    def _probes(self, stored: StoredVectors) -> list[dict[str, object]]:
        """The probe of a new build, checked before it is sealed."""
        probes = choose_probes(stored)
        if not answers(probes, self.encoder()([str(p["text"]) for p in probes]), stored):
            raise IndexError_(f"{self.path}: index build failed: the encoder does not give its own texts back")
        return probes

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for ``texts`` from the index's encoder. The first call of a process also
        encodes the probe texts (about a millisecond) and checks their known answers: an encoder
        that no longer matches the index is loaded again, and failing that the index is rebuilt."""
        if self._probed:
            return self.encoder()(texts)
        with self._lock:
            if self._probed:
                return self.encoder()(texts)
            opened = self._open(self._progress)
            probes = opened.manifest.get("probe") or []
            vectors = self.encoder()([*(str(p["text"]) for p in probes), *texts])
            if not answers(probes, vectors, opened.vectors):
                vectors = self._mend_encoder(texts)
            self._probed = True
            return vectors[-len(texts) :] if texts else vectors[:0]

    def _mend_encoder(self, texts: list[str]) -> np.ndarray:
        """The probe failed: load the model again from its package (a damaged cache), then rebuild."""
        progress = self._progress
        for remedy in ("reload", "rebuild"):
            if remedy == "reload":
                progress(f"{self.path}: the encoder does not match the index; loading it again from its package")
                self.encoder().reload()
            else:
                progress(f"{self.path}: damaged index (its probe texts come back elsewhere); rebuilding it")
                self._update(progress, force=True, thorough=False)
            opened = self._open(progress)
            probes = opened.manifest.get("probe") or []
            vectors = self.encoder()([*(str(p["text"]) for p in probes), *texts])
            if answers(probes, vectors, opened.vectors):
                return vectors
        raise IndexError_(
            f"{self.path}: the encoder does not give the index's own texts back even after a rebuild; "
            "reinstall plannum-assistant"
        )

    # --- the encoder and Chroma ----------------------------------------------------------------

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
    def _open_store(folder: Path) -> Any:
        from .embeddings import open_store  # Chroma only when building or opening the store

        return open_store(folder)

    @staticmethod
    def _release_clients() -> None:
        from .embeddings import release_clients

        release_clients()
