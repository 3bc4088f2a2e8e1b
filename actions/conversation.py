"""Everything a person may say besides an answer: questions, corrections, emergencies, starting over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import STATE_SLOT, save, screening_of, send, today, trial
from bot import messages
from bot.corrections import find_correction
from bot.red_flags import find_red_flag


class ActionEmergency(Action):
    """Red flags and self-harm: the emergency or crisis message before anything else."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flag = find_red_flag(tracker.latest_message.get("text") or "")
        self_harm = tracker.get_intent_of_latest_message() == "self_harm" or bool(flag and flag.is_self_harm)
        dispatcher.utter_message(text=trial().texts["crisis" if self_harm else "emergency"])
        return []


class ActionAnswerFaq(Action):
    """A question of their own, answered from the trial file; the screen then goes on."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        key = (tracker.get_intent_of_latest_message() or "").removeprefix("faq_")
        dispatcher.utter_message(text=trial().faq.get(key, trial().texts["out_of_scope"]))
        return []


class ActionExplainWhy(Action):
    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        screening = screening_of(tracker)
        qid = screening.current_question_id()
        if qid is not None:
            dispatcher.utter_message(text=f"{trial().texts['why_prefix']} {screening.question(qid).why}")
        return []


class ActionTalkToPerson(Action):
    def name(self) -> str:
        return "action_talk_to_person"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, [{"text": trial().texts["human"]}, {"text": messages.contacts_text(trial())}])
        return []


class ActionNotADoctor(Action):
    def name(self) -> str:
        return "action_not_a_doctor"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=trial().texts["not_a_doctor"])
        return []


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=trial().texts["out_of_scope"])
        return []


class ActionCorrect(Action):
    """Change an earlier answer, mid-screen or from the recap."""

    def name(self) -> str:
        return "action_correct"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        screening = screening_of(tracker)
        text = tracker.latest_message.get("text") or ""
        correction = find_correction(screening, text, today())
        if correction is None:
            if tracker.active_loop_name:
                qid = screening.current_question_id()
                if qid and screening.answer(text, today(), qid).understood:
                    # It was an answer to the current question after all.
                    save(tracker, screening)
                    return [SlotSet(STATE_SLOT, screening.to_dict())]
                # Mid-screen the next message answers the current question, so just show how.
                dispatcher.utter_message(text=trial().texts["not_corrected"])
                return []
            dispatcher.utter_message(text=trial().texts["which_answer"])
            return [SlotSet("awaiting_correction", True)]
        screening.correct(correction.question_id, correction.value)
        save(tracker, screening)
        topic = screening.question(correction.question_id).topic
        dispatcher.utter_message(text=trial().texts["corrected"].format(topic=topic))
        return [SlotSet(STATE_SLOT, screening.to_dict()), SlotSet("awaiting_correction", False)]


class ActionRecap(Action):
    """Before the result: the answers in short, and the chance to change any of them."""

    def name(self) -> str:
        return "action_recap"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        screening = screening_of(tracker)
        if screening.current_question_id() is not None:
            return [FollowupAction("screening_form")]  # a correction opened a new question
        send(dispatcher, messages.recap(screening))
        return []


class ActionStartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=trial().texts["start_over"])
        return [Restarted(), FollowupAction("action_intro")]
