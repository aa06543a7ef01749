"""The index's files and how they are checked (see :mod:`.index`).

A build *seals* its folder: the manifest records the SHA-256 of every file (Chroma's own included)
and, for the two archives every search reads (``vectors.npz``, ``classifier.npz``), the CRC-32 of
each array. Opening the index compares those CRCs with the archives' directories, and zip verifies
each array against its CRC as it is read: a damaged or swapped archive is caught at no extra cost.
Hashing every file (tens of milliseconds) is left to ``plannum index``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .files import read_arrays
from .vocabulary import Language

MANIFEST = "manifest.json"
SNAPSHOT = "vectors.npz"
_CHUNK = 1 << 20
PROBE_SIMILARITY = 0.99  # the encoder gives a stored text back at cosine ~1.0; another model does not


class Unusable(Exception):
    """Why the index on disk cannot be used as it is; ``damaged`` (said to the user) or just
    missing or built for another catalogue (rebuilt quietly, as always)."""

    def __init__(self, message: str, *, damaged: bool) -> None:
        super().__init__(message)
        self.damaged = damaged


@dataclass(frozen=True)
class StoredVectors:
    """Every text of the collection, in id order: one unit vector per row."""

    matrix: np.ndarray  # (texts, dimensions), float32
    entry_ids: list[str]
    texts: list[str]
    languages: list[str]


def save_snapshot(path: Path, stored: StoredVectors) -> None:
    np.savez(
        path,
        matrix=stored.matrix,
        entry_ids=np.asarray(stored.entry_ids),
        texts=np.asarray(stored.texts),
        languages=np.asarray(stored.languages),
    )


def load_snapshot(path: Path, manifest: dict[str, Any]) -> StoredVectors:
    """The snapshot, checked against the manifest (array checksums, row count); raises :class:`Unusable`."""
    check_archive(path, manifest)
    try:
        with read_arrays(path) as data:
            stored = StoredVectors(
                matrix=np.asarray(data["matrix"], dtype=np.float32),
                entry_ids=[str(x) for x in data["entry_ids"]],
                texts=[str(x) for x in data["texts"]],
                languages=[str(x) for x in data["languages"]],
            )
    except (OSError, ValueError) as exc:
        raise Unusable(f"{path.name}: {exc}", damaged=True) from exc
    rows = manifest.get("documents")
    if not (stored.matrix.ndim == 2 and stored.matrix.shape[0] == len(stored.entry_ids) == rows):
        raise Unusable(f"{path.name}: {stored.matrix.shape[0]} rows, the manifest says {rows}", damaged=True)
    return stored


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise Unusable("not built yet", damaged=False) from None
    except OSError as exc:
        if not folder.exists():
            raise Unusable("not built yet", damaged=False) from None
        raise Unusable(f"{MANIFEST}: unreadable ({exc.strerror or exc})", damaged=True) from None
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise Unusable(f"{MANIFEST}: not valid JSON", damaged=True) from None
    if not isinstance(manifest, dict):
        raise Unusable(f"{MANIFEST}: not a JSON object", damaged=True)
    return manifest


def archive_checksums(path: Path) -> dict[str, int]:
    """CRC-32 of each array of a ``.npz``, read from its zip directory (the arrays are not read)."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: info.CRC for info in archive.infolist()}


def check_archive(path: Path, manifest: dict[str, Any]) -> None:
    """The archive's arrays are those the build sealed (zip then checks each array as it is read)."""
    expected = manifest.get("arrays", {}).get(path.name)
    try:
        found = archive_checksums(path)
    except FileNotFoundError:
        raise Unusable(f"{path.name}: missing", damaged=True) from None
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise Unusable(f"{path.name}: unreadable ({type(exc).__name__})", damaged=True) from None
    if found != expected:
        raise Unusable(f"{path.name}: not the archive this index was built with (checksums differ)", damaged=True)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def seal(folder: Path, archives: list[str]) -> dict[str, Any]:
    """What the manifest records about a finished build's files."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {
        "files": {p.relative_to(folder).as_posix(): digest(p) for p in files},
        "arrays": {name: archive_checksums(folder / name) for name in archives},
    }


def check_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the build sealed is there, unchanged (Chroma's store included)."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise Unusable(f"{MANIFEST}: no file checksums", damaged=True)
    for name, expected in sorted(files.items()):
        path = folder / name
        try:
            found = digest(path)
        except FileNotFoundError:
            raise Unusable(f"{name}: missing", damaged=True) from None
        except OSError as exc:
            raise Unusable(f"{name}: unreadable ({exc.strerror or exc})", damaged=True) from None
        if found != expected:
            raise Unusable(f"{name}: changed since the index was built (checksum differs)", damaged=True)


def leftovers(index: Path) -> list[Path]:
    """Folders builds left beside the index (``index.partial-*``, ``index.old-*``): a build in
    progress, or one that was killed."""
    try:
        found = [p for p in index.parent.iterdir() if p.name.startswith(f"{index.name}.")]
    except OSError:
        return []
    marks = (f"{index.name}.partial-", f"{index.name}.old-")
    return [p for p in found if p.name.startswith(marks) and p.is_dir()]


def read_collection(collection: Any) -> StoredVectors:
    """Every text of a Chroma collection with its vector (unit length), in id order."""
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


def _position(text_id: str) -> tuple[str, int]:
    """``crm:12`` -> ("crm", 12): a stable order that does not depend on how Chroma returns rows."""
    entry_id, _, number = text_id.rpartition(":")
    return entry_id, int(number)


def choose_probes(stored: StoredVectors) -> list[dict[str, object]]:
    """The probe: per language, the shortest text found once in the index (short: encoding it with a
    process's first query costs about a millisecond); its nearest entry is its own."""
    counts: dict[str, int] = {}
    for text in stored.texts:
        counts[text] = counts.get(text, 0) + 1
    probes: list[dict[str, object]] = []
    for language in Language:
        rows = [i for i, t in enumerate(stored.texts) if counts[t] == 1 and stored.languages[i] == language.value]
        row = min(rows, key=lambda i: (len(stored.texts[i]), i), default=None)
        if row is not None:
            probes.append({"row": row, "text": stored.texts[row], "entry_id": stored.entry_ids[row]})
    return probes


def answers(probes: list[dict[str, Any]], vectors: np.ndarray, stored: StoredVectors) -> bool:
    """Each probe text, as encoded now, is nearest its own entry, at a cosine only the encoder that
    built the index gives."""
    if not probes:
        return False
    for probe, vector in zip(probes, vectors, strict=False):
        row = probe.get("row")
        if not isinstance(row, int) or not 0 <= row < len(stored.texts) or stored.texts[row] != probe.get("text"):
            return False
        similarity = stored.matrix @ np.asarray(vector, dtype=np.float32)
        if stored.entry_ids[int(np.argmax(similarity))] != probe.get("entry_id") or similarity[row] < PROBE_SIMILARITY:
            return False
    return True


def discard(folder: Path) -> None:
    """Remove a build's folder (or a symbolic link standing for one, never what it points to)."""
    if folder.is_symlink():
        folder.unlink(missing_ok=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)
