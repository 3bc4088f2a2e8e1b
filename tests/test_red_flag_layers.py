"""The two red-flag layers together, as the Rasa server runs them (rasa_plugins/red_flag_intent.py).

The classifier's guess comes first; the keyword layer then decides: its red flag always wins, its
words ruled out (negated, past) silence the classifier, and a red flag of the classifier alone goes
on marked unconfirmed, for the emergency action to weigh against the open question. The whole
pipeline, with the trained classifier, is measured through the servers (tests/test_end_to_end.py,
``make safety-report``).
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.reading.red_flags import UNCONFIRMED
from rasa_plugins.red_flag_intent import RedFlagIntent


def classified(text: str, intent: str, confidence: float, runner_up: str = "inform") -> Message:
    message = Message(data={TEXT: text})
    guess = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, guess, add_to_output=True)
    ranking = [guess, {INTENT_NAME_KEY: runner_up, PREDICTED_CONFIDENCE_KEY: 1 - confidence}]
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return message


def after(message: Message) -> tuple[str, bool]:
    RedFlagIntent().process([message])
    return message.get(INTENT)[INTENT_NAME_KEY], bool(message.get(UNCONFIRMED))


@pytest.mark.parametrize("guess", ["inform", "faq_benefit", "affirm"])
def test_a_keyword_red_flag_wins_over_any_guess(guess: str) -> None:
    assert after(classified("I have crushing chest pain right now", guess, 0.9)) == ("red_flag", False)
    assert after(classified("I want to kill myself", guess, 0.9)) == ("self_harm", False)


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "I had a stroke years ago",
        "没有胸痛",
        "never had a seizure",
        "stroke risk",
        "忙得要死",
        "我很心疼我妈",
    ],
)
def test_the_classifier_alone_never_alarms_on_words_the_keyword_layer_ruled_out(text: str) -> None:
    # Its runner-up (inform at 0.05) is too unlikely to stand: the message is read as an answer.
    assert after(classified(text, "red_flag", 0.95)) == ("nlu_fallback", False)


@pytest.mark.parametrize("text", ["breastfeeding", "my lips are a funny colour"])
def test_a_confident_red_flag_of_the_classifier_alone_goes_on_unconfirmed(text: str) -> None:
    assert after(classified(text, "red_flag", 0.9)) == ("red_flag", True)


@pytest.mark.parametrize(
    "text", ["I'm not suicidal, I just don't see the point any more", "没有自杀的念头，就是觉得没意思"]
)
def test_a_denial_of_suicide_leaves_a_crisis_guess_of_the_classifier_standing(text: str) -> None:
    assert after(classified(text, "self_harm", 0.9)) == ("self_harm", True)


@pytest.mark.parametrize(
    "text",
    [
        "do i have to buy the il2 myself",
        "想了解一下隐私这块",
        "tell me about the costs",
        "中间不想干了，医生会不会不管我了？",
    ],
)
def test_a_crisis_guess_of_the_classifier_alone_on_a_question_of_theirs_is_dropped(text: str) -> None:
    assert after(classified(text, "self_harm", 0.6, runner_up="faq_costs")) == ("faq_costs", False)


@pytest.mark.parametrize("text", ["天天琢磨着去死", "i keep thinking everyone would be happier without me"])
def test_a_crisis_guess_of_the_classifier_alone_on_a_statement_stands(text: str) -> None:
    assert after(classified(text, "self_harm", 0.5)) == ("self_harm", True)


def test_a_crisis_in_a_question_is_still_found_by_the_keyword_layer() -> None:
    assert after(classified("what is the easiest way to kill myself?", "faq_where", 0.9)) == ("self_harm", False)


def test_a_weak_red_flag_of_the_classifier_alone_is_dropped() -> None:
    assert after(classified("breastfeeding", "red_flag", 0.4)) == ("inform", False)


@pytest.mark.parametrize(
    ("intent", "confidence", "kept"),
    [("red_flag", 0.68, False), ("red_flag", 0.7, True), ("self_harm", 0.48, False), ("self_harm", 0.5, True)],
)
def test_a_guess_of_the_classifier_alone_stands_from_its_threshold(intent: str, confidence: float, kept: bool) -> None:
    """The SVM's thresholds (0.7, 0.5): "fever 37.8 yesterday" was an emergency at 0.66, "我有尿血" at 0.69."""
    assert after(classified("a message with no red-flag words", intent, confidence)) == (
        (intent, True) if kept else ("inform", False)
    )


def test_after_a_weak_red_flag_an_unlikely_next_guess_is_read_as_the_answer() -> None:
    """Its runner-up at 0.17 must not divert the message (an FAQ answer instead of reading it)."""
    text = "no... well I've been on amoxicillin for a chest infection since thursday"
    message = classified(text, "red_flag", 0.54)
    runner_up = {INTENT_NAME_KEY: "faq_can_chat_decide", PREDICTED_CONFIDENCE_KEY: 0.17}
    message.set(INTENT_RANKING_KEY, [message.get(INTENT), runner_up], add_to_output=True)
    assert after(message) == ("nlu_fallback", False)
    assert after(classified(text, "red_flag", 0.54, runner_up="inform")) == ("inform", False)  # 0.46: likely


@pytest.mark.parametrize(
    ("confidence", "intent"), [(0.48, "nlu_fallback"), (0.58, "nlu_fallback"), (0.6, "stop"), (0.9, "stop")]
)
def test_only_a_likely_stop_ends_the_screen(confidence: float, intent: str) -> None:
    assert after(classified("六十五,下个礼拜就六十六了", "stop", confidence))[0] == intent


@pytest.mark.parametrize(
    ("confidence", "intent"), [(0.41, "nlu_fallback"), (0.55, "nlu_fallback"), (0.6, "start_over")]
)
def test_only_a_likely_start_over_wipes_the_answers(confidence: float, intent: str) -> None:
    assert after(classified("不算有吧，昨天做过一次髋关节置换", "start_over", confidence))[0] == intent


def test_a_typed_command_is_left_to_the_dialogue() -> None:
    assert after(classified("/resume", "red_flag", 0.9)) == ("red_flag", False)


@pytest.mark.parametrize(
    "text",
    [
        "没打。小时候抽血晕过一回哈哈",
        "fainted once when I was a kid, at the dentist",
        "18年在单位晕过一次",
        "以前住过一次院",
    ],
)
def test_an_emergency_guess_of_the_classifier_alone_on_a_message_told_as_history_is_dropped(text: str) -> None:
    assert after(classified(text, "red_flag", 0.9)) == ("nlu_fallback", False)


@pytest.mark.parametrize("text", ["小时候晕过，今天又晕了一次", "fainted as a kid and again this morning"])
def test_history_with_something_said_to_be_now_leaves_the_guess_standing(text: str) -> None:
    assert after(classified(text, "red_flag", 0.9))[0] == "red_flag"


def test_a_crisis_guess_told_as_history_still_stands() -> None:
    """History never silences a crisis (a missed one costs far more than a needless crisis message)."""
    assert after(classified("years ago I felt my family would be lighter without me", "self_harm", 0.9)) == (
        "self_harm",
        True,
    )


@pytest.mark.parametrize("intent", ["start_over", "stop"])
@pytest.mark.parametrize("entity", ["PROCEDURE", "MEDICINE", "VACCINE", "CONDITION"])
def test_a_message_that_names_a_thing_of_the_lexicon_never_ends_nor_restarts_the_screen(
    intent: str, entity: str
) -> None:
    """ "不算有吧，昨天做过一次髋关节置换" was a start_over at 0.55 once the NLU data grew: its hip replacement,
    the answer, was lost, and a tapped "No" after it was a false "may be a fit" through the servers."""
    message = classified("不算有吧，昨天做过一次髋关节置换", intent, 0.9)
    message.set("entities", [{"entity": entity, "value": "髋关节置换", "start": 11, "end": 16}], add_to_output=True)
    assert after(message)[0] == "nlu_fallback"
    assert after(classified("start over please", intent, 0.9))[0] == intent  # naming nothing, it stands
