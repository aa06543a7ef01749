"""The entry classifier: learnt from the catalogue and the training statements, stored with the index."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from plannum_assistant import index as index_module
from plannum_assistant.assistant import Assistant
from plannum_assistant.errors import CatalogueError
from plannum_assistant.evals import load_eval_set
from plannum_assistant.index import DenseIndex
from plannum_assistant.index_files import archive_checksums, digest
from plannum_assistant.ranker import (
    ARTIFACT,
    EntryClassifier,
    balance_adjustment,
    load_owner_statements,
    load_ranker_config,
)
from plannum_assistant.settings import Settings

from .conftest import KNOWLEDGE
from .faults import small_knowledge

ROOT = KNOWLEDGE.parent


def _recall_at_1(assistant: Assistant, mode: str) -> float:
    items = load_eval_set(ROOT / "evals" / "retrieval" / "pain_statements_heldout.yaml", assistant.catalogue).items
    found = assistant.retriever.search_many([i.text for i in items], top_k=1, mode=mode)  # type: ignore[arg-type]
    return sum(hits[0].id in item.acceptable for item, hits in zip(items, found, strict=True)) / len(items)


def test_the_classifier_beats_the_nearest_phrase_on_statements_it_never_saw(assistant: Assistant) -> None:
    # The held-out statements were written by someone who saw neither the catalogue nor the
    # training statements; none of them is a training text.
    classifier, dense = _recall_at_1(assistant, "classifier"), _recall_at_1(assistant, "dense")
    assert classifier >= 0.875, classifier  # 0.925-0.938 measured; the embedding alone gave 0.863
    assert classifier >= dense + 0.25, (classifier, dense)


def test_training_is_deterministic_and_the_stored_model_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=small_knowledge(tmp_path))
    assistant = Assistant(settings)
    assistant.build_index()
    stored = EntryClassifier.load(settings.index_dir / ARTIFACT, assistant.catalogue.ids)
    again = assistant.dense_index._train(assistant.dense_index.vectors(), lambda _: None)
    assert stored.entry_ids == again.entry_ids == ["cmms", "crm", "helpdesk"]
    for field in ("dense_weights", "term_weights", "bias", "idf"):
        assert np.array_equal(getattr(stored, field), getattr(again, field)), field
    assert np.array_equal(stored.adjustment, again.adjustment)
    assert stored.adjustment[0] < 0 < stored.adjustment[1] == stored.adjustment[2]  # cmms is the one answer

    def no_training(*args: object) -> None:
        raise AssertionError("a current index must not train again")

    monkeypatch.setattr(DenseIndex, "_train", no_training)
    fresh = Assistant(settings)  # a new process, as far as the index is concerned
    hits = fresh.search("our maintenance is done only when a machine breaks", top_k=3, mode="classifier")
    assert hits[0].id == "cmms" and hits[0].classifier_rank == 1
    assert hits[0].classifier_score is not None and hits[0].classifier_score > (hits[1].classifier_score or 0.0)


def test_new_training_statements_rebuild_the_index(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)
    Assistant(settings).build_index()
    assert Assistant(settings).dense_index.is_current()
    path = knowledge / "owner_statements.yaml"
    path.write_text(path.read_text().replace("every other week", "every single week"))
    assert not Assistant(settings).dense_index.is_current()


def test_a_current_index_opens_without_parsing_the_training_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=small_knowledge(tmp_path))
    Assistant(settings).build_index()

    def no_parsing(*args: object) -> None:
        raise AssertionError("the statements are parsed only to train")

    monkeypatch.setattr(index_module, "load_owner_statements", no_parsing)
    hits = Assistant(settings).search("customers wait days for an answer to their tickets", top_k=1, mode="classifier")
    assert hits[0].id == "helpdesk" and hits[0].classifier_score is not None


def test_training_statements_broken_after_a_build_are_refused_when_the_index_is_rebuilt(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)
    Assistant(settings).build_index()
    path = knowledge / "owner_statements.yaml"
    path.write_text(path.read_text().replace("answer: [cmms]", "answer: [erp]"))
    with pytest.raises(CatalogueError, match=r"statements\.0\.answer: unknown catalogue id 'erp'"):
        Assistant(settings).search("customers wait days for tickets", top_k=1, mode="classifier")


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "other catalogue", "no adjustment"])
def test_a_damaged_stored_classifier_is_trained_again_and_stored_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=small_knowledge(tmp_path))
    Assistant(settings).build_index()
    path = settings.index_dir / ARTIFACT
    good = path.read_bytes()
    if damage == "other catalogue":
        model = EntryClassifier.load(path, ["cmms", "crm", "helpdesk"])
        replace(model, entry_ids=["cmms", "crm", "erp"]).save(path)
    elif damage == "no adjustment":  # as stored before the balance, and sealed as if built that way
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files if k != "adjustment"}
        np.savez(path, **arrays)
        manifest_path = settings.index_dir / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["arrays"][ARTIFACT] = archive_checksums(path)
        manifest["files"][ARTIFACT] = digest(path)
        manifest_path.write_text(json.dumps(manifest))
    else:
        path.write_bytes({"empty": b"", "garbage": b"not a numpy archive", "truncated": good[: len(good) // 2]}[damage])
    hits = Assistant(settings).search("customers wait days for an answer to their tickets", top_k=1, mode="classifier")
    assert hits[0].id == "helpdesk" and hits[0].classifier_score is not None
    assert EntryClassifier.load(path, ["cmms", "crm", "helpdesk"]).entry_ids == ["cmms", "crm", "helpdesk"]  # repaired
    with np.load(path) as data:
        assert "adjustment" in data.files  # stored back whole, not read with a stand-in

    def no_training(*args: object) -> None:
        raise AssertionError("the repaired classifier must be reused")

    monkeypatch.setattr(DenseIndex, "_train", no_training)
    assert Assistant(settings).search("customers wait days for tickets", top_k=1, mode="classifier")[0].id == "helpdesk"


def test_training_that_diverges_or_settings_that_cannot_train_are_refused(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)
    Assistant(settings).build_index()
    model = EntryClassifier.load(settings.index_dir / ARTIFACT, ["cmms", "crm", "helpdesk"])
    broken = replace(model, bias=np.array([0.0, np.nan, 0.0], dtype=np.float32))
    with pytest.raises(ValueError, match="non-finite weights"):
        broken.check(["cmms", "crm", "helpdesk"])
    path = knowledge / "ranker.yaml"
    path.write_text(path.read_text().replace("learning_rate: 0.5", "learning_rate: .inf"))
    with pytest.raises(CatalogueError, match="learning_rate"):
        load_ranker_config(path)


def test_training_statements_naming_an_unknown_entry_are_refused(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    path = knowledge / "owner_statements.yaml"
    path.write_text(path.read_text().replace("answer: [cmms]", "answer: [erp]"))
    catalogue = Assistant(Settings(data_dir=tmp_path / "d", knowledge_dir=knowledge)).catalogue
    with pytest.raises(CatalogueError, match=r"statements\.0\.answer: unknown catalogue id 'erp'"):
        load_owner_statements(path, catalogue)


def test_the_balance_takes_back_part_of_the_answers_spread() -> None:
    answers = ["a"] * 7 + ["b"] * 1  # with one pseudo-answer each: shares 8/11, 2/11, 1/11
    adjustment = balance_adjustment(["a", "b", "c"], answers, 0.5)
    assert np.allclose(adjustment, -0.5 * np.log(np.array([8, 2, 1]) / 11 * 3))
    assert adjustment[0] < 0 < adjustment[1] < adjustment[2]  # the most heard lowered, the never heard raised
    assert not balance_adjustment(["a", "b", "c"], answers, 0.0).any()  # 0: the scores as trained
    assert not balance_adjustment(["a", "b"], ["a", "b"], 1.0).any()  # an even spread needs nothing


def test_the_balance_multiplies_each_entrys_odds_by_its_adjustment(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path)
    lines = ["version: 1", "statements:"]
    said = {"cmms": "The press breaks down and nobody writes down what was fixed.", "helpdesk": "Customers call."}
    for entry_id, count in (("cmms", 40), ("helpdesk", 1)):
        for number in range(count):
            text = said[entry_id]
            lines += [f"  - source: test-{entry_id}#{number}", "    language: en", f"    answer: [{entry_id}]"]
            lines += [f"    text: {text} Ticket {number} was one of them."]
    (knowledge / "owner_statements.yaml").write_text("\n".join(lines) + "\n")
    query = ["Requests come in from everywhere and nobody follows up on them."]

    def scores(balance: float) -> dict[str, float]:
        config = knowledge / "ranker.yaml"
        config.write_text(re.sub(r"(?m)^balance: .*$", f"balance: {balance}", config.read_text()))
        assistant = Assistant(Settings(data_dir=tmp_path / f"data-{balance}", knowledge_dir=knowledge))
        hits = assistant.retriever.search_many(query, top_k=3, mode="classifier")[0]
        return {h.id: h.classifier_score or 0.0 for h in hits}

    trained, balanced = scores(0.0), scores(0.5)
    # 40 answers to 1 (cmms, helpdesk; crm none): the same weights, each entry's odds moved by its adjustment.
    shift = balance_adjustment(["cmms", "crm", "helpdesk"], ["cmms"] * 40 + ["helpdesk"], 0.5)
    moved = (balanced["helpdesk"] / balanced["cmms"]) / (trained["helpdesk"] / trained["cmms"])
    assert moved == pytest.approx(float(np.exp(shift[2] - shift[0])), rel=1e-3), (trained, balanced)
    assert moved > 4  # the most heard entry loses ground to the rarely heard one
