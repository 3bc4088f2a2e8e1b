"""The conversation's language, decided per message (bot/language.py), for the dialogue to keep.

This rule-based component runs after the classifier. A message that chooses a language ("中文",
"English please") becomes the ``choose_language`` intent, whatever the classifier guessed, and says
which in a ``language`` entity; a message written mostly in Chinese characters carries the entity
``zh``. The ``language`` slot fills from that entity, so the actions read the language from the
conversation, never from a global; a message that says nothing about it leaves the slot as it is.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.language import mentioned_language, mostly_chinese, named_language
from rasa_plugins.rule_component import RuleComponent

CHOOSE_LANGUAGE_INTENT = "choose_language"
LANGUAGE_ENTITY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ConversationLanguage(RuleComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button says nothing about the language
            named = named_language(text)
            if named is None and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == CHOOSE_LANGUAGE_INTENT:
                named = mentioned_language(text)  # "can we do this in Chinese?"
            language = named or ("zh" if mostly_chinese(text) else None)
            if language is None:
                continue
            if named:
                intent = {INTENT_NAME_KEY: CHOOSE_LANGUAGE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            entity = {
                ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: language,
                "start": 0,
                "end": len(text),
                EXTRACTOR: type(self).__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
