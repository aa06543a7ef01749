"""The encoder's start-up cache must change speed only, never the vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from plannum_assistant.embeddings import MultilingualEncoder

TEXTS = ["On perd la trace de nos soumissions", "Our pickers walk the whole warehouse"]


def test_cached_encoder_gives_identical_vectors_and_survives_a_corrupt_cache(tmp_path: Path) -> None:
    reference = np.asarray(MultilingualEncoder()(TEXTS))
    first = np.asarray(MultilingualEncoder(cache_dir=tmp_path)(TEXTS))  # fills the cache
    cached_files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert cached_files == ["tokenizer.pickle", "weights.npz"]
    second = np.asarray(MultilingualEncoder(cache_dir=tmp_path)(TEXTS))  # reads the cache
    np.testing.assert_array_equal(first, reference)
    np.testing.assert_array_equal(second, reference)

    for path in tmp_path.rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    repaired = np.asarray(MultilingualEncoder(cache_dir=tmp_path)(TEXTS))
    np.testing.assert_array_equal(repaired, reference)
    assert np.asarray(MultilingualEncoder(cache_dir=tmp_path)(TEXTS)).shape == (2, 512)


def test_vectors_are_unit_length_and_multilingual() -> None:
    fr, en, other = np.asarray(
        MultilingualEncoder()(["Nos commandes partent en retard", "Our orders ship late", "Le logo est bleu"])
    )
    assert np.allclose([np.linalg.norm(v) for v in (fr, en, other)], 1.0, atol=1e-4)
    assert float(fr @ en) > float(fr @ other)
