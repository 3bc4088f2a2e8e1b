"""Consent to keep answers, and "the recap is right", are taken only from a clear yes; anything else asks again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa_sdk import Tracker

from actions.state import yes_or_no as consent_of
from bot.reading.answers import YES, yes_no


def tracker(text: str, intent: str) -> Tracker:
    ranked = {"name": intent, "confidence": 0.9}
    message = {"text": text, "intent": ranked, "intent_ranking": [ranked]}
    return Tracker("consent-test", {}, message, [], False, None, {}, "action_listen")


@pytest.mark.parametrize("text", ["yes", "ok", "sure", "yes please", "好的", "可以", "同意"])
def test_a_typed_yes_the_classifier_agrees_with_is_consent(text: str) -> None:
    assert consent_of(tracker(text, "affirm")) is True


@pytest.mark.parametrize("text", ["no", "no thanks", "不同意", "不要", "nope"])
@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_a_typed_no_is_a_refusal_whatever_the_classifier_says(text: str, intent: str) -> None:
    assert consent_of(tracker(text, intent)) is False


@pytest.mark.parametrize(
    "text", ["Привет, как дела", "hello", "مرحبا", "I would rather not", "not sure", "maybe", "what is this?", "😀"]
)
@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_a_message_that_is_neither_asks_again(text: str, intent: str) -> None:
    assert consent_of(tracker(text, intent)) is None


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Zs", "Po")), max_size=40))
def test_consent_is_never_taken_from_words_that_do_not_read_as_yes(text: str) -> None:
    if yes_no(text) != YES:
        assert consent_of(tracker(text, "affirm")) is not True


@pytest.mark.parametrize(("payload", "agreed"), [("/affirm", True), ("/deny", False)])
def test_a_tapped_button_is_its_intent(payload: str, agreed: bool) -> None:
    assert consent_of(tracker(payload, payload[1:])) is agreed
