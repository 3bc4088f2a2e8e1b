"""The screening form's validation, with tracker fixtures: it reads the answer and asks the question the
form requests next, in the same call (the form has no ask action: tests/test_one_call.py counts the
calls through the real servers)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.state as state
from actions.screening_form import ValidateScreeningForm
from bot.session.screening import Screening
from bot.storage.records import Records
from bot.trial.model import load_trial

TRIAL = load_trial()
DOMAIN = {"forms": {"screening_form": {"required_slots": ["answer"]}}}
FORM = {"name": "screening_form"}


@pytest.fixture(autouse=True)
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = Records(tmp_path / "s.db")
    monkeypatch.setattr(state, "records", lambda: records)


def validate(
    answers: list[str], answer: str | None, active_loop: dict[str, Any] | None = FORM
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The validation action's events and messages, after ``answers``, for the message ``answer`` (None:
    the form resumes or opens, with nothing to validate)."""
    screening = Screening(TRIAL)
    for said in answers:
        screening.answer(said, state.today())
    slots = {"screening_state": screening.to_dict(), "requested_slot": "answer", "answer": answer}
    # Rasa puts the slots to validate last in the events it sends (rasa/core/actions/forms.py).
    events = [{"event": "slot", "name": "answer", "value": answer}] if answer is not None else []
    message = {"text": answer or "", "intent": {"name": "inform", "confidence": 0.9}}
    tracker = Tracker("form", slots, message, events, False, None, active_loop, "screening_form")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))
    return returned, dispatcher.messages


def test_an_answer_is_read_and_the_next_question_asked_in_the_same_call() -> None:
    events, said = validate([], "40")
    assert {"event": "slot", "timestamp": None, "name": "answer", "value": None} in events
    assert [m["text"] for m in said] == [TRIAL.questions["lupus_diagnosis"].text]


def test_after_a_miss_the_question_is_rephrased_and_after_the_last_the_next_follows_gave_up() -> None:
    _, said = validate(["40"], "yes and no")
    assert [m["text"] for m in said] == [TRIAL.questions["lupus_diagnosis"].retry]
    _, said = validate(["40", "yes and no"], "no and yes")
    assert [m["text"] for m in said] == [TRIAL.texts["gave_up"], TRIAL.questions["kidney_involvement"].text]


def test_the_form_resuming_or_opening_asks_the_current_question() -> None:
    _, said = validate(["40"], None)
    assert [m["text"] for m in said] == [TRIAL.questions["lupus_diagnosis"].text]
    assert said[0]["question"] == "lupus_diagnosis" and said[0]["buttons"]


def test_a_call_without_the_form_active_asks_nothing() -> None:
    """As the form opens, Rasa may validate a second time with the tracker from before it opened
    (FormAction.do): only the call with the form active asks, so the question never comes twice."""
    events, said = validate(["40"], None, active_loop=None)
    assert events == [] and said == []


def test_with_nothing_left_to_ask_the_form_ends_and_nothing_is_asked() -> None:
    events, said = validate(["I am 12"], "x")  # too young: the screen ended early
    assert said == []
    assert [(e["name"], e["value"]) for e in events] == [("requested_slot", None)]
