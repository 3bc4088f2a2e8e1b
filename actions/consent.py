"""The opening: what this is, what is stored, and consent to store it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import send, trial
from bot.session import messages
from bot.storage.records import new_reference


class ActionIntro(Action):
    def name(self) -> str:
        return "action_intro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        send(dispatcher, messages.intro(trial()))
        return [SlotSet("introduced", True)]


class ActionRecordConsent(Action):
    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        agreed = tracker.get_intent_of_latest_message() == "affirm"
        dispatcher.utter_message(text=trial().texts["consent_yes" if agreed else "consent_no"])
        return [
            SlotSet("consent", agreed),
            SlotSet("reference", new_reference() if agreed else None),
            SlotSet("started_at", datetime.now(timezone.utc).isoformat()),
            SlotSet("screening_state", None),
            SlotSet("finished", False),
        ]
