"""rasa_plugins/intent_classifier.py: the same intent probabilities as Rasa's classifier, without a copy
of all its weights per message."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression

from rasa_plugins.intent_classifier import lay_out_by_feature

FEATURES, INTENTS = 3000, 7


def _fitted() -> LogisticRegression:
    rng = np.random.default_rng(2026)
    X = sparse_random(400, FEATURES, density=0.01, format="csr", random_state=rng)
    y = rng.integers(0, INTENTS, 400)
    return LogisticRegression(class_weight="balanced", max_iter=300, random_state=2022).fit(X, y)


STOCK = _fitted()
OURS = copy.deepcopy(STOCK)
lay_out_by_feature(OURS)


def test_the_weights_are_laid_out_so_that_scoring_copies_none() -> None:
    assert not STOCK.coef_.T.flags.c_contiguous, "as fitted, scipy copies coef_.T for every product"
    assert OURS.coef_.T.flags.c_contiguous
    assert np.array_equal(OURS.coef_, STOCK.coef_)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    columns=st.lists(st.integers(0, FEATURES - 1), min_size=1, max_size=60, unique=True),
    seed=st.integers(0, 2**16),
)
def test_a_message_gets_the_probabilities_rasa_s_classifier_gives(columns: list[int], seed: int) -> None:
    counts = np.random.default_rng(seed).integers(1, 4, len(columns)).astype(float)
    message = csr_matrix((counts, ([0] * len(columns), columns)), shape=(1, FEATURES))
    np.testing.assert_allclose(OURS.predict_proba(message), STOCK.predict_proba(message), rtol=1e-12, atol=1e-15)


def test_config_sets_the_penalty_rasa_s_classifier_fixes() -> None:
    from unittest.mock import MagicMock

    from rasa_plugins.intent_classifier import DEFAULT_C, FeatureMajorLogisticRegression

    def built(config: dict[str, float]) -> LogisticRegression:
        full = {**FeatureMajorLogisticRegression.get_default_config(), **config}
        return FeatureMajorLogisticRegression(full, "intents", MagicMock(), MagicMock()).clf

    assert built({}).C == DEFAULT_C
    assert built({"C": 2.0}).C == 2.0
