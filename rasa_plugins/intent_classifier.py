"""Rasa's logistic-regression intent classifier, with its weights laid out for one message at a time.

sklearn scores a message as ``X @ coef_.T``. Fitted, ``coef_`` is in C order (a row per intent), so
``coef_.T`` is not C-contiguous and scipy's sparse product copies the whole of it, every word and
character n-gram of the vocabulary times every intent (about 30 MB here), for every message: 8% of
the Rasa server's CPU per message, growing with the training data. In Fortran order ``coef_.T`` is
C-contiguous and the product reads only the rows of the features the message has. The numbers, the
model file and training are Rasa's own; only the layout in memory changes, once, at load.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

# Rasa's classifier fixes scikit-learn's default penalty (C = 1); config.yml may set another.
DEFAULT_C = 1.0


def lay_out_by_feature(classifier: Any) -> None:
    """Keep a fitted classifier's weights so that ``coef_.T`` is C-contiguous (no copy per product)."""
    if getattr(classifier, "coef_", None) is not None:
        classifier.coef_ = np.asfortranarray(classifier.coef_)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FeatureMajorLogisticRegression(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` (config.yml takes its settings, and ``C``), its weights by feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": DEFAULT_C}

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf.set_params(C=self.config["C"])

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LogisticRegressionClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        lay_out_by_feature(component.clf)
        return component
