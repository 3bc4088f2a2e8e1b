"""The opening: what this is, what is stored, and consent to store it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import reask_consent
from actions.state import send, tally, trial, yes_or_no
from bot.session import messages
from bot.storage.records import new_reference


class ActionIntro(Action):
    def name(self) -> str:
        return "action_intro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        send(dispatcher, messages.intro(trial(tracker)))
        # A greeting again mid-screen shows the opening and starts nothing; after a result, a new screen.
        if not tracker.get_slot("introduced") or tracker.get_slot("finished"):
            tally(tracker, "started")
        return [SlotSet("introduced", True)]


class ActionRecordConsent(Action):
    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        agreed = yes_or_no(tracker)
        if agreed is None:
            dispatcher.utter_message(text=trial(tracker).texts["fallback"])
            return reask_consent(dispatcher, tracker)
        dispatcher.utter_message(text=trial(tracker).texts["consent_yes" if agreed else "consent_no"])
        tally(tracker, "agreed" if agreed else "declined")
        return [
            SlotSet("consent", agreed),
            SlotSet("reference", new_reference() if agreed else None),
            SlotSet("started_at", datetime.now(timezone.utc).isoformat()),
            SlotSet("screening_state", None),
            SlotSet("finished", False),
        ]
