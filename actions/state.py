"""Reading and writing the screening state that travels in Rasa slots."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import date, datetime, timezone
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.reading.answers import Understood, looks_like_question, names_only_unknowns
from bot.session.messages import Message
from bot.session.screening import Screening, to_record
from bot.storage.records import DEFAULT_DB, NotYours, Records
from bot.trial.model import Trial, cached_trial

STATE_SLOT = "screening_state"
logger = logging.getLogger(__name__)


def trial() -> Trial:
    return cached_trial()


@lru_cache(maxsize=1)
def _fixed_day() -> date | None:
    # Tests that play answers with dates written on a given day ("in October") fix the clock.
    day = os.environ.get("SCREENER_TODAY")
    return date.fromisoformat(day) if day else None


def today() -> date:
    return _fixed_day() or date.today()


@lru_cache(maxsize=1)
def records() -> Records:
    return Records(os.environ.get("SCREENER_DB", str(DEFAULT_DB)))


def screening_of(tracker: Tracker) -> Screening:
    return Screening.from_dict(trial(), tracker.get_slot(STATE_SLOT))


def send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**{"buttons": [], **message})


def save(tracker: Tracker, screening: Screening, status: str = "in_progress") -> None:
    """Store the record, only for someone who agreed to it, and only into this conversation's own record."""
    reference = tracker.get_slot("reference")
    if not tracker.get_slot("consent") or not reference:
        return
    started = tracker.get_slot("started_at") or datetime.now(timezone.utc).isoformat()
    channel = tracker.get_latest_input_channel() or "unknown"
    record = to_record(screening, reference, channel, datetime.fromisoformat(started), status)
    owner = hashlib.sha256(tracker.sender_id.encode("utf-8")).hexdigest()
    try:
        records().save(record, owner=owner)
    except NotYours:
        logger.warning("A conversation claimed a reference it did not create; nothing was stored.")


def noted(tracker: Tracker) -> list[EventType]:
    """Mid-screen, facts in a message that is no answer (a question of their own) answer the questions
    they belong to: nothing said is thrown away."""
    if tracker.active_loop_name != "screening_form":
        return []
    screening = screening_of(tracker)
    if not screening.note(tracker.latest_message.get("text") or "", today()):
        return []
    save(tracker, screening)
    return [SlotSet(STATE_SLOT, screening.to_dict())]


def took_as_answer(tracker: Tracker) -> list[EventType] | None:
    """Mid-screen, a message the classifier sent elsewhere may still answer the current question.

    The answer wins: the events that record it, or None if it is no answer.
    """
    if tracker.active_loop_name != "screening_form":
        return None
    screening = screening_of(tracker)
    if screening.current_question_id() is None:
        return None
    text = tracker.latest_message.get("text") or ""
    if looks_like_question(text):
        return None  # "what is <a study treatment>?" gets its answer, not recorded as a medicine taken
    # Read once, and record only an answer: a question of their own is no miss.
    qid, understood = screening.read(text, today())
    if not isinstance(understood, Understood) or names_only_unknowns(understood.value):
        return None
    screening.accept(qid, understood, text, today())
    save(tracker, screening)
    return [SlotSet(STATE_SLOT, screening.to_dict())]
