"""What our rule-based NLU components share: nothing to train, nothing to load."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData
from typing_extensions import Self


class RuleComponent(GraphComponent):
    """A component that only reads each message with rules of its own (``process``)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
