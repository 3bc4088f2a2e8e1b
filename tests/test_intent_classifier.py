"""rasa_plugins/intent_classifier.py: a calibrated linear SVM over TF-IDF blocks of Rasa's featurizers,
stored and loaded by skops with nothing beyond the types it needs, scoring a message without a copy of
all its weights."""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.intent_classifier import LinearSVMIntentClassifier

WORDS, CHARS, INTENTS = 300, 900, 5
RNG = np.random.default_rng(2026)


def _counts(n: int, width: int, label: npt.NDArray[np.int64]) -> sp.csr_matrix:
    """Counts where each intent favours its own columns, so that there is something to learn."""
    X = sp.random(n, width, density=0.02, format="lil", random_state=RNG, data_rvs=lambda k: RNG.integers(1, 3, k))
    for row, intent in enumerate(label):
        X[row, intent * 7 : intent * 7 + 3] = 2
    return X.tocsr()


LABELS = RNG.integers(0, INTENTS, 240)
WORD_COUNTS, CHAR_COUNTS = _counts(240, WORDS, LABELS), _counts(240, CHARS, LABELS)


def _message(i: int, words: sp.csr_matrix, chars: sp.csr_matrix, intent: str | None = None) -> Message:
    message = Message(data={"text": f"message {i}", **({"intent": intent} if intent else {})})
    message.add_features(Features(sp.coo_matrix(words[i]), "sentence", "text", "words"))
    message.add_features(Features(sp.coo_matrix(chars[i]), "sentence", "text", "chars"))
    return message


def _examples() -> list[Message]:
    return [_message(i, WORD_COUNTS, CHAR_COUNTS, f"intent_{label}") for i, label in enumerate(LABELS)]


CONFIG = {"blocks": {"words": 1.4, "chars": 1.0}, "C": 1.0}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def trained(storage: LocalModelStorage) -> LinearSVMIntentClassifier:
    component = LinearSVMIntentClassifier(CONFIG, storage, Resource("intents"))
    component.train(TrainingData(_examples()))
    return component


def test_each_block_counts_alike_however_many_features_it_has(trained: LinearSVMIntentClassifier) -> None:
    assert trained.model is not None
    X = trained._matrix(trained._counts(_examples()[:20]), trained.model["tfidf"]).toarray()
    words, chars = X[:, :WORDS], X[:, WORDS:]
    np.testing.assert_allclose(np.linalg.norm(words, axis=1), 1.4)
    np.testing.assert_allclose(np.linalg.norm(chars, axis=1), 1.0)


def test_it_learns_the_intents_and_ranks_them_by_probability(trained: LinearSVMIntentClassifier) -> None:
    messages = trained.process(_examples())
    right = [m.get("intent")["name"] == f"intent_{label}" for m, label in zip(messages, LABELS, strict=True)]
    assert np.mean(right) > 0.9
    for message in messages:
        ranking = message.get("intent_ranking")
        confidences = [r["confidence"] for r in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert ranking[0] == message.get("intent")
        assert sum(confidences) == pytest.approx(1.0)


def test_loaded_it_gives_the_same_probabilities(storage: LocalModelStorage, trained: LinearSVMIntentClassifier) -> None:
    from unittest.mock import MagicMock

    loaded = LinearSVMIntentClassifier.load(CONFIG, storage, Resource("intents"), MagicMock())
    assert loaded.model is not None
    svm = loaded.model["classifier"].calibrated_classifiers_[0].base_estimator
    # Scoring is X @ coef_.T: C-contiguous, scipy reads the message's rows in place instead of copying
    # every weight for each message.
    assert svm.coef_.T.flags.c_contiguous
    ours = [m.get("intent_ranking") for m in loaded.process(_examples()[:30])]
    theirs = [m.get("intent_ranking") for m in trained.process(_examples()[:30])]
    assert [[r["name"] for r in a] for a in ours] == [[r["name"] for r in b] for b in theirs]
    np.testing.assert_allclose(
        [[r["confidence"] for r in a] for a in ours], [[r["confidence"] for r in b] for b in theirs]
    )


def test_a_stored_model_holding_other_types_is_refused(storage: LocalModelStorage) -> None:
    from unittest.mock import MagicMock

    import skops.io as sio

    resource = Resource("tampered")
    with storage.write_to(resource) as model_dir:
        sio.dump({"classifier": Counter(a=1)}, model_dir / "intent_classifier.skops")
    with pytest.raises(Exception, match=r"[Uu]ntrusted"):
        LinearSVMIntentClassifier.load(CONFIG, storage, resource, MagicMock())


def test_a_block_no_featurizer_made_is_named() -> None:
    component = LinearSVMIntentClassifier({"blocks": {"words": 1.0, "chars": 1.0, "lemmas": 1.0}}, None, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lemmas"):
        component.train(TrainingData(_examples()))


def test_it_needs_its_blocks() -> None:
    with pytest.raises(ValueError, match="blocks"):
        LinearSVMIntentClassifier({}, None, None)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    words=st.dictionaries(st.integers(0, WORDS - 1), st.integers(1, 5), max_size=30),
    chars=st.dictionaries(st.integers(0, CHARS - 1), st.integers(1, 5), max_size=80),
)
def test_a_message_gets_the_probabilities_sklearn_gives(
    trained: LinearSVMIntentClassifier, words: dict[int, int], chars: dict[int, int]
) -> None:
    def row(counts: dict[int, int], width: int) -> sp.csr_matrix:
        return sp.csr_matrix((list(counts.values()), ([0] * len(counts), list(counts))), shape=(1, width), dtype=float)

    message = _message(0, row(words, WORDS), row(chars, CHARS))
    assert trained.model is not None and trained.scorer is not None
    X = trained._matrix(trained._counts([message]), trained.model["tfidf"])
    sklearn = trained.model["classifier"].predict_proba(X)[0]
    np.testing.assert_allclose(trained.scorer.probabilities(message), sklearn, rtol=1e-9, atol=1e-12)
