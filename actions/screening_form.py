"""The screening form: one slot, ``answer``, asked again until no question is left."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import with_offer
from actions.state import (
    STATE_SLOT,
    last_answered,
    save,
    screening_of,
    send,
    tally,
    today,
    took_as_answer,
    trial,
    yes_or_no,
)
from bot.session import messages

DONE = "done"


class ValidateScreeningForm(FormValidationAction):
    """Reads the answer, then asks the question the form requests next (rephrased, with an example,
    after an answer not understood), in the same action call.

    The form has no ask action of its own (none in domain.yml), so Rasa's form asks nothing itself
    (rasa/core/actions/forms.py, ``_ask_for_slot``): one call to the action server per answer, not
    two. Rasa calls this action in every run of the form before it requests ``answer``: after an
    answer, when the form opens (after consent, a recap line picked to change...) and when it resumes
    after an interruption (a question of their own, an alarm, going back...). A message that is no
    answer has the form's first run set aside by Rasa, its question with it, and the form run again
    after the message's own action.
    """

    def name(self) -> str:
        return "validate_screening_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = await super().run(dispatcher, tracker, domain)  # its slots are now the tracker's
        # The form requests ``answer`` when it is empty and a question is left (required_slots). Only a
        # call with the form active asks: as the form opens, Rasa validates a second time with the
        # tracker from before it opened (FormAction.do) when the first call returned nothing, and a
        # first call that asked returned its message.
        if tracker.active_loop_name == self.form_name() and tracker.get_slot("answer") is None:
            screening = screening_of(tracker)
            qid = screening.current_question_id()
            if qid is not None:
                send(dispatcher, [messages.question(screening, qid, retry=bool(screening.misses.get(qid)))])
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        # Nothing left to ask (e.g. resumed after the last answer): the form is done.
        return domain_slots if screening_of(tracker).current_question_id() is not None else []

    def validate_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        screening = screening_of(tracker)
        qid = screening.current_question_id()
        if qid is None:
            return {"answer": DONE}
        if tracker.get_slot("requested_slot") != "answer":
            # The form is opening (after consent, or a recap line picked to change): the message
            # that opened it answers no question, so it is neither an answer nor a miss.
            return {"answer": None}
        turn = screening.answer(str(value or ""), today(), qid)
        if turn.gave_up:
            dispatcher.utter_message(text=trial(tracker).texts["gave_up"])
        save(tracker, screening)
        finished = screening.current_question_id() is None
        # After "stop" then "continue", the screen goes on: it is no longer finished.
        resumed = {"finished": False} if tracker.get_slot("finished") else {}
        return {"answer": DONE if finished else None, STATE_SLOT: screening.to_dict(), **resumed}


class ActionScreeningResult(Action):
    def name(self) -> str:
        return "action_screening_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("finished"):  # given once; "yes" again is no second result
            dispatcher.utter_message(text=trial(tracker).texts["go_back_finished"])
            return []
        screening = screening_of(tracker)
        if yes_or_no(tracker) is not True:  # "the recap is right" only from a clear yes, never from 😀
            dispatcher.utter_message(text=trial(tracker).texts["fallback"])
            send(dispatcher, messages.recap(screening)[1:])  # the recap question, with its buttons
            return [UserUtteranceReverted()]
        save(tracker, screening, status="completed")
        result = screening.result(final=True)
        reference = tracker.get_slot("reference")
        said = messages.result(trial(tracker), result, reference, screening.answers, today(), screening.mentioned)
        tally(tracker, "completed")
        tally(tracker, f"outcome:{said[0]['outcome']}")
        said, events = with_offer(tracker, said)
        send(dispatcher, said)
        return [SlotSet("answer", None), SlotSet("finished", True), *events]


class ActionStopScreening(Action):
    def name(self) -> str:
        return "action_stop_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        screening = screening_of(tracker)
        if not tracker.get_slot("finished"):  # a completed record stays completed
            save(tracker, screening, status="stopped")
            tally(tracker, "stopped", last_answered(screening.answers) or "")
        dispatcher.utter_message(text=trial(tracker).texts["stopped"])
        reference = tracker.get_slot("reference")
        if screening.answers:
            result = screening.result(final=True)
            send(
                dispatcher,
                messages.result(trial(tracker), result, reference, screening.answers, today(), screening.mentioned),
            )
        else:  # nothing answered yet: no result to give, only where to turn
            send(dispatcher, messages.closing(trial(tracker), reference))
        return [SlotSet("answer", None), SlotSet("finished", True)]


class ActionResultDetails(Action):
    """ "Show details": each of the study's rules and how the answers fit it, once the result is given.

    The widget shows them inside its result card; this is for text channels (SMS, WeChat) and typing.
    """

    def name(self) -> str:
        return "action_result_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        screening = screening_of(tracker)
        if tracker.get_slot("finished"):
            if not screening.answers:  # stopped before any answer: there is no result
                dispatcher.utter_message(text=trial(tracker).texts["details_none"])
                return []
            send(dispatcher, [messages.details_text(trial(tracker), screening.result(final=True))])
            return []
        taken = took_as_answer(tracker, dispatcher=dispatcher)
        if taken is not None:
            return taken  # "details: I had the MMR vaccine" mid-screen is an answer
        dispatcher.utter_message(text=trial(tracker).texts["details_later"])
        return []
