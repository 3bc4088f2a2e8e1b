"""A call-back from the study team, offered with a result of "may be a fit" or "needs the study team".

Its own consent, apart from the answers': the offer says what is kept, who sees it, for how long
and how to withdraw; "No, thank you" keeps nothing. The name, number and time asked for are kept
in the ``callback`` slot only until the call-back is stored, then cleared; the store keeps it with
the reference (a new one for someone who kept no answers), never in a log.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import STORE_ERRORS, language, records, screening_of, send, settings, tally, trial
from bot.scoring import NEEDS_TEAM
from bot.session import callback, messages
from bot.storage.callbacks import CallBack
from bot.storage.records import new_reference
from bot.trial.model import cached_trial

CALLBACK_SLOT = "callback"
logger = logging.getLogger(__name__)
OFFERED_TO = ("may_fit", "needs_team")


def with_offer(tracker: Tracker, result: list[messages.Message]) -> tuple[list[messages.Message], list[EventType]]:
    """The result's messages, with the call-back offered last for an outcome that gets one, and the
    call-back's slot. The offer takes over the "Show details" button: a text channel numbers only
    the last message's options, so two messages with options would both say "Reply 1"."""
    if result[0]["outcome"] not in OFFERED_TO:
        return result, [SlotSet(CALLBACK_SLOT, None)]
    tally(tracker, "callback_offered")
    *said, last = result
    offer = messages.callback_offer(trial(tracker))
    offer["buttons"] = [*offer["buttons"], *last["buttons"]]
    return [*said, {**last, "buttons": []}, offer], [SlotSet(CALLBACK_SLOT, callback.start())]


def _state(tracker: Tracker) -> dict[str, Any] | None:
    state = tracker.get_slot(CALLBACK_SLOT)
    return state if isinstance(state, dict) and state.get("step") in callback.STEPS else None


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        return domain_slots if _state(tracker) else []  # none on offer, or all taken down

    def validate_callback_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        state = _state(tracker)
        if state is None:
            return {"callback_text": "-"}
        if tracker.get_slot("requested_slot") != "callback_text":
            return {"callback_text": None}  # the "yes" that opened the form is no name
        titles = messages.time_titles(trial(tracker))
        state, said = callback.take(state, str(value or ""), language(tracker), titles)
        return {"callback_text": None if said == "ask" else "-", CALLBACK_SLOT: state}


class ActionAskCallbackText(Action):
    def name(self) -> str:
        return "action_ask_callback_text"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        state = _state(tracker)
        if state is not None:
            send(dispatcher, [messages.callback_question(trial(tracker), state["step"], bool(state.get("misses")))])
        return []


class ActionCallbackDone(Action):
    """After the form: store the call-back and say so, or say why not."""

    def name(self) -> str:
        return "action_callback_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        state = tracker.get_slot(CALLBACK_SLOT) or {}
        texts = trial(tracker).texts
        step = state.get("step") if isinstance(state, dict) else None
        if step == "declined":
            return _declined(dispatcher, tracker)
        if step == "gave_up":
            send(dispatcher, [{"text": texts["callback_gave_up"]}, messages.next_steps(trial(tracker))])
            return [SlotSet(CALLBACK_SLOT, None), SlotSet("callback_text", None)]
        if step != "done":  # none on offer: a "yes" at the recap is for the recap
            if not tracker.get_slot("finished"):
                return [SlotSet("callback_text", None), FollowupAction("action_recap")]
            dispatcher.utter_message(text=texts["fallback"])
            return [SlotSet("callback_text", None)]
        reference = tracker.get_slot("reference") or new_reference()
        called = CallBack(
            reference=reference,
            name=state["name"],
            phone=state["phone"],
            best_time=state["time"],
            language=language(tracker),
            channel=tracker.get_latest_input_channel() or "unknown",
            outcome=_outcome(tracker),
            checks=_checks(tracker),
        )
        try:
            records().save_callback(called)
        except STORE_ERRORS:  # nothing half-kept: the person is told, and the name and number leave the slot
            logger.warning("A call-back could not be stored.")
            send(dispatcher, [{"text": texts["callback_gave_up"]}, messages.next_steps(trial(tracker))])
            return [SlotSet(CALLBACK_SLOT, None), SlotSet("callback_text", None)]
        tally(tracker, "callback_asked")
        titles = dict(zip(callback.TIMES, messages.time_titles(trial(tracker)), strict=True))
        saved = texts["callback_saved"].format(
            name=state["name"], phone=state["phone"], time=titles[state["time"]], reference=reference
        )
        send(dispatcher, [{"text": saved}, {"text": messages.phone_hours(trial(tracker))}])
        # The name and number leave the conversation's state once stored.
        return [
            SlotSet(CALLBACK_SLOT, {"step": "stored"}),
            SlotSet("callback_text", None),
            SlotSet("reference", reference),
        ]


def _outcome(tracker: Tracker) -> str:
    return screening_of(tracker).result(final=True).outcome or "needs_team"


def _checks(tracker: Tracker) -> str:
    """What the study team must check, in the coordinators' language."""
    screening = screening_of(tracker)
    for_team = cached_trial(settings().trial, screening.trial.coordinator_language)
    checks = [v.criterion for v in screening.result(final=True).verdicts if v.verdict == NEEDS_TEAM]
    return "; ".join(dict.fromkeys(for_team.criterion(c).summary for c in checks))


def _declined(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    dispatcher.utter_message(text=trial(tracker).texts["callback_declined"])
    tally(tracker, "callback_declined")
    return [SlotSet(CALLBACK_SLOT, None), SlotSet("callback_text", None)]


class ActionCallbackDeclined(Action):
    """ "No, thank you" to the offer, or "stop" while it is taken down: nothing is kept."""

    def name(self) -> str:
        return "action_callback_declined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if _state(tracker) is None:
            dispatcher.utter_message(text=trial(tracker).texts["fallback"])
            return []
        return _declined(dispatcher, tracker)


class ActionCancelCallback(Action):
    """ "Cancel my call-back": deleted at once, whatever its status."""

    def name(self) -> str:
        return "action_cancel_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reference = tracker.get_slot("reference")
        if _state(tracker) is not None:  # while it is taken down: nothing is kept yet
            return _declined(dispatcher, tracker)
        try:
            cancelled = bool(reference) and records().cancel_callback(reference)
        except STORE_ERRORS:  # the records service away, the database busy: said, and nothing changed
            logger.warning("A call-back could not be cancelled.")
            send(
                dispatcher,
                [{"text": trial(tracker).texts["callback_cancel_failed"]}, messages.next_steps(trial(tracker))],
            )
            return []
        if cancelled:
            dispatcher.utter_message(text=trial(tracker).texts["callback_cancelled"])
            tally(tracker, "callback_cancelled")
            return [SlotSet(CALLBACK_SLOT, None)]
        dispatcher.utter_message(text=trial(tracker).texts["callback_none"])
        return []
