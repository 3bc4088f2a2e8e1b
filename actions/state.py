"""Reading and writing the screening state that travels in Rasa slots."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from datetime import date, datetime, timezone
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.reading.answers import NO, YES, Understood, looks_like_question, names_only_unknowns, yes_no
from bot.reading.words import normalise
from bot.session.messages import Message
from bot.session.screening import Screening, to_record
from bot.settings import Settings
from bot.storage import funnel
from bot.storage.records import NotYours, Records
from bot.storage.service import RemoteRecords, Unavailable
from bot.trial.model import Trial, cached_trial

STATE_SLOT = "screening_state"
DIVERTED_SLOT = "diverted"  # the last message mid-screen that was no answer (a hash, not the words)
logger = logging.getLogger(__name__)


LANGUAGE_SLOT = "language"
# What a write to the records can fail with: the database busy too long, the records service away.
STORE_ERRORS = (sqlite3.Error, Unavailable)


def language(tracker: Tracker) -> str:
    """The conversation's language: chosen or shown by a message (the ``language`` slot), else the one
    its channel asks for (message metadata, the widget's ``data-lang``), else the trial's own."""
    languages = cached_trial(settings().trial).languages
    chosen = tracker.get_slot(LANGUAGE_SLOT)
    if chosen in languages:
        return str(chosen)
    asked = ((tracker.latest_message or {}).get("metadata") or {}).get("language")
    return str(asked) if asked in languages else languages[0]


def trial(tracker: Tracker | None = None) -> Trial:
    """The trial, in the conversation's language."""
    return cached_trial(settings().trial, language(tracker) if tracker is not None else None)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings, read from its environment once (bot/settings.py)."""
    return Settings.from_env()


def today() -> date:
    # Tests that play answers with dates written on a given day ("in October") fix the clock.
    return settings().today or date.today()


@lru_cache(maxsize=1)
def records() -> Records | RemoteRecords:
    """The records database, or on several machines the records service that owns it."""
    url = settings().records_url
    if url:
        return RemoteRecords(url, settings().records_token or "")
    return Records(settings().records_db, settings().busy_timeout_s)


def screening_of(tracker: Tracker) -> Screening:
    return Screening.from_dict(trial(tracker), tracker.get_slot(STATE_SLOT))


def send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**{"buttons": [], **message})


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def tally(tracker: Tracker, event: str, question: str = "") -> None:
    """Count an event of the funnel (bot/storage/funnel.py): counts only, for everyone. A count that
    cannot be written (the database busy too long) is lost, never the reply."""
    week = funnel.week_of(datetime.now(timezone.utc), trial(tracker).info["site"]["time_zone"])
    try:
        records().tally(week, event, channel_of(tracker), language(tracker), question)
    except STORE_ERRORS:
        logger.warning("A funnel count could not be written.")


def last_answered(answers: dict[str, object] | None) -> str | None:
    return next(reversed(answers), None) if answers else None


def save(tracker: Tracker, screening: Screening, status: str = "in_progress") -> None:
    """Store the record, only for someone who agreed to it, and only into this conversation's own record.

    For everyone, the funnel counts where the screen stands: its last answered question, until it
    completes.
    """
    started = tracker.get_slot("started_at") or datetime.now(timezone.utc).isoformat()
    channel = channel_of(tracker)
    before = last_answered((tracker.get_slot(STATE_SLOT) or {}).get("answers"))
    week = funnel.week_of(datetime.fromisoformat(started), screening.trial.info["site"]["time_zone"])
    after = None if status == "completed" else last_answered(screening.answers)
    reference = tracker.get_slot("reference")
    try:
        if not tracker.get_slot("consent") or not reference:
            records().moved(week, channel, before, after)
            return
        record = to_record(screening, reference, channel, datetime.fromisoformat(started), status)
        owner = hashlib.sha256(tracker.sender_id.encode("utf-8")).hexdigest()
        records().save(record, owner=owner, moved=(week, before, after))
    except NotYours:
        logger.warning("A conversation claimed a reference it did not create; nothing was stored.")
    except Unavailable:
        # The screen goes on: the answers are in the conversation, and the next save writes them all.
        logger.error("The records service could not be reached; this answer's record waits for the next.")


def message_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]


def sent_again(tracker: Tracker) -> bool:
    """This very message was sent just before and was no answer (it went to a topic, an alarm...)."""
    return bool(tracker.get_slot(DIVERTED_SLOT) == message_key(tracker.latest_message.get("text") or ""))


def noted(tracker: Tracker, alarmed: bool = False) -> list[EventType]:
    """Mid-screen, a message that is no answer (a question of their own, or one answered with the
    emergency message: ``alarmed``): its facts answer the questions they belong to, so nothing said
    is thrown away, and it is remembered, so that the same message sent again is read as an answer
    or a miss and never loops."""
    if tracker.active_loop_name != "screening_form":
        return []
    screening = screening_of(tracker)
    if not screening.note(tracker.latest_message.get("text") or "", today(), alarmed):
        return diverted(tracker)
    save(tracker, screening)
    return [SlotSet(STATE_SLOT, screening.to_dict()), *diverted(tracker)]


def diverted(tracker: Tracker) -> list[EventType]:
    """Remember, mid-screen, the message that was no answer to the question."""
    if tracker.active_loop_name != "screening_form":
        return []
    return [SlotSet(DIVERTED_SLOT, message_key(tracker.latest_message.get("text") or ""))]


def took_as_answer(
    tracker: Tracker, or_a_miss: bool = False, dispatcher: CollectingDispatcher | None = None
) -> list[EventType] | None:
    """Mid-screen, a message the classifier sent elsewhere may still answer the current question.

    The answer wins: the events that record it, or None if it is no answer. With ``or_a_miss``, and
    for a message sent again after it was no answer, a message that is no answer is read as the form
    reads one: a miss, its facts kept, the question asked again rephrased (or, after the last miss,
    left to the study team).
    """
    if tracker.active_loop_name != "screening_form":
        return None
    screening = screening_of(tracker)
    if screening.current_question_id() is None:
        return None
    text = tracker.latest_message.get("text") or ""
    or_a_miss = or_a_miss or sent_again(tracker)
    if looks_like_question(text) and not or_a_miss:
        return None  # "what is <a study treatment>?" gets its answer, not recorded as a medicine taken
    # Read once, and record only an answer: a question of their own is no miss.
    qid, understood = screening.read(text, today())
    if not or_a_miss and (not isinstance(understood, Understood) or names_only_unknowns(understood.value)):
        return None
    turn = screening.accept(qid, understood, text, today())
    if turn.gave_up and dispatcher is not None:
        dispatcher.utter_message(text=trial(tracker).texts["gave_up"])
    save(tracker, screening)
    return [SlotSet(STATE_SLOT, screening.to_dict())]


def yes_or_no(tracker: Tracker) -> bool | None:
    """True or False for a clear yes or no to what the bot asked (consent, the recap), else None: it is
    asked again.

    A tapped button is its intent. A typed message must also read as a yes (a no is a no): the
    classifier alone took a greeting in Russian for "yes" and emoji for "the recap is right", and
    nothing is kept or decided on a guess."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.startswith("/"):
        return {"/affirm": True, "/deny": False}.get(text.strip())  # our buttons; a typed "/" is neither
    said = yes_no(text)
    if said == NO:
        return False
    return True if said == YES and tracker.get_intent_of_latest_message() == "affirm" else None
