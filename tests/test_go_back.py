"""'Go back' through the action, with tracker fixtures: the previous question again, and nothing else said is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.state as state
from actions.conversation import ActionGoBack
from bot.session.screening import Screening
from bot.storage.records import Records
from bot.trial.model import load_trial

TRIAL = load_trial()


@pytest.fixture(autouse=True)
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = Records(tmp_path / "s.db")
    monkeypatch.setattr(state, "records", lambda: records)


def go_back(text: str, answers: list[str]) -> Screening:
    screening = Screening(TRIAL)
    for answer in answers:
        screening.answer(answer, state.today())
    ranked = {"name": "go_back", "confidence": 0.9}
    message = {"text": text, "intent": ranked, "intent_ranking": [ranked]}
    slots = {"screening_state": screening.to_dict(), "started_at": "2026-12-06T10:00:00+00:00", "consent": False}
    tracker = Tracker("back", slots, message, [], False, None, {"name": "screening_form"}, "action_listen")
    events: list[dict[str, Any]] = asyncio.run(ActionGoBack().run(CollectingDispatcher(), tracker, {}))
    changed = next(e["value"] for e in events if e.get("name") == "screening_state")
    return Screening.from_dict(TRIAL, changed)


def test_go_back_asks_the_previous_question_again() -> None:
    back = go_back("go back", ["40", "yes"])
    assert back.current_question_id() == "lupus_diagnosis" and back.answers["age"]["min_years"] == 40


def test_what_the_message_also_says_still_counts() -> None:
    back = go_back("go back, I had the MMR vaccine 2 weeks ago", ["40", "yes"])
    assert back.current_question_id() == "lupus_diagnosis"
    assert any(i["id"] == "mmr" for i in back.answers["vaccine_recent"]["items"]), back.answers
