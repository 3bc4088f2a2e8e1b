"""The intent classifier: a linear SVM over TF-IDF blocks, its scores calibrated to probabilities.

On this data a linear SVM classifies intents better than Rasa's logistic regression (README, "The
NLU": macro-F1 in 5-fold cross-validation). Its inputs are the counts of Rasa's own featurizers,
one block per featurizer (its ``alias`` in config.yml): each block is weighted by sublinear TF-IDF and
scaled to unit length on its own, so that words and character n-grams count alike however many of
each a message has, then multiplied by the block's weight. The SVM's scores become probabilities
(Platt's sigmoid, fitted on 3-fold predictions of the training data) because the FallbackClassifier
after it compares confidences with its thresholds.

Training and the stored model are sklearn's own (TfidfTransformer, LinearSVC, CalibratedClassifierCV).
A message is scored by ``Scorer`` from their fitted numbers: for one message at a time, sklearn's
checks, sparse products and per-intent calls cost more than the arithmetic, and made every message
8% dearer in CPU (bench.trees). tests/test_intent_classifier.py checks the probabilities are
sklearn's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.svm import LinearSVC

# What skops may load beyond the types it trusts by itself (sklearn's estimators): TF-IDF's idf
# weights, as a sparse diagonal, and the calibration's parts. Nothing else is loaded.
TRUSTED = [
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]


class Scorer:
    """The fitted model's probabilities for one message, from its blocks' counts, without sklearn's overhead."""

    def __init__(self, model: dict[str, Any], blocks: dict[str, float]) -> None:
        calibrated = model["classifier"].calibrated_classifiers_[0]  # ensemble=False: exactly one
        svm = calibrated.base_estimator
        assert list(svm.classes_) == list(calibrated.classes), "the SVM's intents in the calibration's order"
        self.classes = [str(c) for c in svm.classes_]
        self.weights = np.ascontiguousarray(svm.coef_.T)  # a row per feature: a message reads its rows
        self.intercept = svm.intercept_
        self.a = np.array([c.a_ for c in calibrated.calibrators])
        self.b = np.array([c.b_ for c in calibrated.calibrators])
        self.blocks = []  # (alias, weight, idf, first column)
        column = 0
        for alias, weight in blocks.items():
            idf = model["tfidf"][alias].idf_
            self.blocks.append((alias, weight, idf, column))
            column += len(idf)

    def probabilities(self, message: Message) -> npt.NDArray[np.float64]:
        sentences = {
            f.origin: f.features
            for f in message.features
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
        }
        scores = self.intercept.copy()
        for alias, weight, idf, first in self.blocks:
            if alias not in sentences:
                raise ValueError(f"no sparse features from a featurizer with the alias {alias!r}")
            counts = sentences[alias].tocoo()
            values = (1 + np.log(counts.data)) * idf[counts.col]  # sublinear TF-IDF
            length = np.sqrt(values @ values)
            if length:
                scores += (values * (weight / length)) @ self.weights[first + counts.col]
        p = expit(-(self.a * scores + self.b))
        total = p.sum()
        return p / total if total else np.full_like(p, 1 / len(p))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearSVMIntentClassifier(IntentClassifier, GraphComponent):
    """Intents from the featurizers named in ``blocks`` ({alias: weight}), by a calibrated linear SVM."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"blocks": {}, "C": 1.0, "calibration_folds": 3, RANKING_LENGTH: LABEL_RANKING_LENGTH}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        if not self.config["blocks"]:
            raise ValueError("LinearSVMIntentClassifier needs `blocks`: the featurizers' aliases and weights")
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.scorer = Scorer(model, self.config["blocks"]) if model else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearSVMIntentClassifier:
        return cls(config, model_storage, resource)

    def _counts(self, messages: list[Message]) -> dict[str, sp.csr_matrix]:
        """Each block's sentence counts, a row per message."""
        blocks = {}
        for alias in self.config["blocks"]:
            rows = []
            for message in messages:
                sentence = message.get_sparse_features(TEXT, [alias])[1]
                if sentence is None:
                    raise ValueError(f"no sparse features from a featurizer with the alias {alias!r}")
                rows.append(sentence.features)
            blocks[alias] = sp.vstack(rows, format="csr")
        return blocks

    def _matrix(self, counts: dict[str, sp.csr_matrix], tfidf: dict[str, TfidfTransformer]) -> sp.csr_matrix:
        return sp.hstack(
            [tfidf[alias].transform(counts[alias]) * weight for alias, weight in self.config["blocks"].items()],
            format="csr",
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        counts = self._counts(examples)
        tfidf = {alias: TfidfTransformer(sublinear_tf=True).fit(X) for alias, X in counts.items()}
        svm = LinearSVC(C=self.config["C"], class_weight="balanced")
        # ensemble=False: one SVM fitted on all the data, the sigmoid on the folds' predictions.
        classifier = CalibratedClassifierCV(svm, cv=self.config["calibration_folds"], method="sigmoid", ensemble=False)
        classifier.fit(self._matrix(counts, tfidf), np.array([e.get(INTENT) for e in examples]))
        self.model = {"tfidf": tfidf, "classifier": classifier}
        self.scorer = Scorer(self.model, self.config["blocks"])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.scorer is None:
            return messages
        for message in messages:
            row = self.scorer.probabilities(message)
            order = np.argsort(-row)
            ranking = [{"name": self.scorer.classes[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.model, model_dir / "intent_classifier.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearSVMIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                model = sio.load(model_dir / "intent_classifier.skops", trusted=TRUSTED)
        except ValueError:  # nothing stored: the training data held no intents
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, model)
