"""Red flags win over whatever the classifier guessed.

The trained classifier might miss "I have chest pain" among screening answers;
this rule-based component runs after it and sets the intent to ``red_flag``
or ``self_harm`` whenever ``bot.reading.red_flags`` finds one, so the dialogue can
interrupt everything with the emergency or crisis message.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.reading.red_flags import find_red_flag

RED_FLAG_INTENT = "red_flag"
SELF_HARM_INTENT = "self_harm"
# A red flag the lexicon does not confirm must be this likely to the classifier,
# so nonsense is not met with an emergency message. Self-harm is never second-guessed
# as much: a missed one costs far more than a needless crisis message.
MIN_CONFIDENCE = {RED_FLAG_INTENT: 0.6, SELF_HARM_INTENT: 0.4}


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
            if flag is not None:
                name = SELF_HARM_INTENT if flag.is_self_harm else RED_FLAG_INTENT
                intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            else:
                self._doubt_unconfirmed(message)
        return messages

    @staticmethod
    def _doubt_unconfirmed(message: Message) -> None:
        """Drop a weak, unconfirmed red-flag guess in favour of the next intent."""
        intent = message.get(INTENT) or {}
        threshold = MIN_CONFIDENCE.get(intent.get(INTENT_NAME_KEY, ""))
        if threshold is None or intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= threshold:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in MIN_CONFIDENCE]
        fallback = ranking[0] if ranking else {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, fallback, add_to_output=True)
