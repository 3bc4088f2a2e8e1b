"""Red flags as a person meets them: the keyword layer and the classifier together.

This rule-based component runs after the classifier:
- a red flag the keyword layer finds (``bot.reading.red_flags``) sets the intent to ``red_flag`` or
  ``self_harm``, whatever the classifier guessed, so the dialogue interrupts everything;
- where the keyword layer saw red-flag words and ruled them out ("no chest pain", "I had a seizure
  as a child"), a red-flag guess of the classifier is dropped for its next intent;
- a red-flag guess of the classifier alone is kept, marked unconfirmed (``red_flag_unconfirmed`` in
  the parse data), so the emergency action can take an ordinary answer to the open question
  ("breastfeeding" at the pregnancy question) as the answer instead;
- a weak red-flag guess dropped, and a weak guess that would end the screen ("stop"), become
  ``nlu_fallback``: mid-screen the message is then read as the answer to the open question.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.reading.answers import looks_like_question
from bot.reading.red_flags import UNCONFIRMED, read_red_flags
from rasa_plugins.rule_component import RuleComponent

RED_FLAG_INTENT = "red_flag"
SELF_HARM_INTENT = "self_harm"
# A red flag the lexicon does not confirm must be this likely to the classifier,
# so nonsense is not met with an emergency message. Self-harm is never second-guessed
# as much: a missed one costs far more than a needless crisis message. Set for the linear SVM
# (rasa_plugins/intent_classifier.py) from its out-of-fold predictions in a 5-fold cross-validation:
# 0.7 and 0.5 keep more true red flags (576 of 622) and crises (513 of 550) and take fewer other
# messages for one (10 and 15 of 15,886) than the logistic regression before it did at 0.6 and 0.4
# (556, 489; 11, 35), whose probabilities were less sharp.
MIN_CONFIDENCE = {RED_FLAG_INTENT: 0.7, SELF_HARM_INTENT: 0.5}
# What may divert a message from being read as an answer must be at least this likely: below it the
# dialogue gets ``nlu_fallback``, which the form reads as the answer (the FallbackClassifier's
# threshold, config.yml). Ending the screen takes more: a "stop" guessed at 0.48 for "六十五,下个礼拜
# 就六十六了" ended a screen on its age. In the cross-validation, 0.5 keeps 134 of 150 true stops and
# drops 9 of 14 false ones; a stop not taken is said again, a screen stopped is lost. Starting over
# the same: "不算有吧，昨天做过一次髋关节置换" was a start_over at 0.41, its hip replacement never read.
# For the SVM, 0.6 (out of fold: 448 of 523 stops kept, 11 others taken for one; 375 of 385 and 6
# for starting over) is the logistic regression's 0.5 or better on both counts (448, 19; 372, 7).
FALLBACK_THRESHOLD = 0.3
MIN_TO_END = {"stop": 0.6, "start_over": 0.6}
FALLBACK = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
LEXICON_ENTITIES = {"MEDICINE", "VACCINE", "PROCEDURE", "CONDITION"}  # config.yml's SpacyEntityExtractor


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagIntent(RuleComponent):
    def __init__(self) -> None:
        read_red_flags("")  # compiles the lexicon now, not on the first person's message

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a typed intent is handled (and checked) by the dialogue
            reading = read_red_flags(text)
            if reading.flag is not None:
                name = SELF_HARM_INTENT if reading.flag.is_self_harm else RED_FLAG_INTENT
                intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            else:
                self._doubt_unconfirmed(message, reading.ruled_out, text, reading.told_as_history)
                self._doubt_ending(message)
        return messages

    @staticmethod
    def _doubt_ending(message: Message) -> None:
        """A guess that would end the screen or start it over is taken only when likely enough, and
        never for a message that names a medicine, vaccine, procedure or illness: "不算有吧，昨天做过
        一次髋关节置换" was a start_over at 0.55, and the hip replacement it answered with was lost."""
        intent = message.get(INTENT) or {}
        threshold = MIN_TO_END.get(intent.get(INTENT_NAME_KEY, ""))
        if threshold is None:
            return
        names = any(e.get(ENTITY_ATTRIBUTE_TYPE) in LEXICON_ENTITIES for e in message.get(ENTITIES) or [])
        if names or intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) < threshold:
            message.set(INTENT, FALLBACK, add_to_output=True)

    @staticmethod
    def _doubt_unconfirmed(message: Message, ruled_out: bool, text: str = "", history: bool = False) -> None:
        """A red-flag guess of the classifier alone: dropped for the next intent when it is weak, the
        keyword layer ruled its words out, or (an emergency, not a crisis) the message is told as history
        with nothing said to be now ("没打。小时候抽血晕过一回哈哈"), otherwise marked unconfirmed.

        A crisis guess on a question or request of theirs is dropped too: on two sets written by people
        who never saw the classifier, 10 of its 14 false crisis guesses were questions about the study
        ("do i have to buy the il2 myself", "想了解一下隐私这块"), and none of the 9 crises only it
        caught was a question; the keyword layer still finds "how do I kill myself?"."""
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY, "")
        threshold = MIN_CONFIDENCE.get(name)
        if threshold is None:
            return
        doubted = (
            ruled_out
            or (name == SELF_HARM_INTENT and looks_like_question(text))
            or (name == RED_FLAG_INTENT and history)
        )
        if intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= threshold and not doubted:
            message.set(UNCONFIRMED, True, add_to_output=True)
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in MIN_CONFIDENCE]
        # The next guess counts only if it is likely enough: "no... well I've been on amoxicillin for a
        # chest infection" was a weak red flag, then an FAQ at 0.17, and its infection was never read.
        likely = ranking and ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0) >= FALLBACK_THRESHOLD
        message.set(INTENT, ranking[0] if likely else FALLBACK, add_to_output=True)
