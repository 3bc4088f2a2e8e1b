"""Red flags win over whatever the classifier guessed.

The trained classifier might miss "I have chest pain" among screening answers;
this rule-based component runs after it and sets the intent to ``red_flag``
or ``self_harm`` whenever ``bot.red_flags`` finds one, so the dialogue can
interrupt everything with the emergency or crisis message.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.red_flags import find_red_flag

RED_FLAG_INTENT = "red_flag"
SELF_HARM_INTENT = "self_harm"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagIntent(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagIntent:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a typed intent is handled (and checked) by the dialogue
            flag = find_red_flag(text)
            if flag is None:
                continue
            name = SELF_HARM_INTENT if flag.is_self_harm else RED_FLAG_INTENT
            intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", [intent], add_to_output=True)
        return messages
