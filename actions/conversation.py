"""Everything a person may say besides an answer: questions, corrections, emergencies, starting over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, Restarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.state import (
    STATE_SLOT,
    diverted,
    noted,
    save,
    screening_of,
    send,
    sent_again,
    today,
    took_as_answer,
    trial,
)
from bot.reading.answers import looks_like_question
from bot.reading.facts import read_facts
from bot.reading.red_flags import UNCONFIRMED
from bot.session import messages
from bot.session.corrections import Correction, find_correction, says_it_corrects
from bot.session.screening import MAX_MISSES, Screening


class ActionEmergency(Action):
    """Red flags and self-harm: the emergency or crisis message before anything else.

    Mid-screen the form stays active and asks its question again right after, so an answer
    simply continues; the Continue button says so for anyone not ready to answer yet. Some
    messages are read as an answer to the open question instead: one that only the classifier
    took for a red flag and that answers it ("breastfeeding" at the pregnancy question) or, for an
    emergency, states facts of the screening; and a message sent again after it was no answer, as
    an answer or a miss: an alarm never loops. Whatever happens, facts said in the message
    answer the questions they belong to.
    """

    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        again = sent_again(tracker)
        self_harm = tracker.get_intent_of_latest_message() == "self_harm"
        unconfirmed = bool(tracker.latest_message.get(UNCONFIRMED))
        if unconfirmed or again:
            # Sent again, the message is an answer, or one that missed (took_as_answer); so is an
            # emergency only the classifier saw in an answer that states facts of the screening
            # ("还在哺乳期", "a kidney infection last month, in hospital"): the keyword layer knows
            # the red flags.
            as_a_miss = unconfirmed and not self_harm and bool(read_facts(text, today()))
            taken = took_as_answer(tracker, as_a_miss, dispatcher)
            if taken is not None:
                return taken
        if again:  # the same alarm never twice in a row (a question of their own, sent again)
            dispatcher.utter_message(text=trial(tracker).texts["fallback"])
            return noted(tracker)
        message: dict[str, Any] = {"text": trial(tracker).texts["crisis" if self_harm else "emergency"]}
        if tracker.active_loop_name:
            message["buttons"] = [{"title": trial(tracker).texts["continue_button"], "payload": "/resume"}]
        send(dispatcher, [message])
        return noted(tracker, alarmed=not self_harm)  # what it says still answers its questions


def awaiting_consent(tracker: Tracker) -> bool:
    """The opening was shown and its consent question is not answered yet."""
    return bool(tracker.get_slot("introduced")) and not tracker.get_slot("started_at")


def reask_consent(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The consent question again, with its buttons. The message is reverted, so the dialogue still
    stands right after the opening, and a "yes" now is taken as consent."""
    send(dispatcher, [messages.consent_question(trial(tracker))])
    return [UserUtteranceReverted()]


class ActionAnswerFaq(Action):
    """A question of their own, answered from the trial file; the screen then goes on."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # A statement is no question of their own, whatever it names: "就上个月底肾盂肾炎住了几天院" was taken
        # for "what is lupus nephritis?" and its infection never read. The form reads it as it reads any.
        statement = not looks_like_question(str(tracker.latest_message.get("text") or ""))
        taken = took_as_answer(tracker, or_a_miss=statement, dispatcher=dispatcher)
        if taken is not None:
            return taken  # "Cell-Cept" answers the medicines question; it is not about stem cells
        key = (tracker.get_intent_of_latest_message() or "").removeprefix("faq_")
        dispatcher.utter_message(text=trial(tracker).faq.get(key, trial(tracker).texts["out_of_scope"]))
        return reask_consent(dispatcher, tracker) if awaiting_consent(tracker) else noted(tracker)


class ActionExplainWhy(Action):
    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        screening = screening_of(tracker)
        qid = screening.current_question_id()
        if qid is not None:
            dispatcher.utter_message(text=f"{trial(tracker).texts['why_prefix']} {screening.question(qid).why}")
        return []


class _Say(Action):
    """Say the trial file's texts[...] for this action, then let the dialogue go on."""

    action_name = ""
    text_keys: tuple[str, ...] = ()
    prefer_answer = False  # mid-screen, an answer to the current question wins

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if self.prefer_answer and (taken := took_as_answer(tracker, dispatcher=dispatcher)) is not None:
            return taken
        for key in self.text_keys:
            text = messages.contacts_text(trial(tracker)) if key == "contact" else trial(tracker).texts[key]
            dispatcher.utter_message(text=text)
        return reask_consent(dispatcher, tracker) if awaiting_consent(tracker) else noted(tracker)


class ActionTalkToPerson(_Say):
    action_name, text_keys = "action_talk_to_person", ("human", "contact")


class ActionNotADoctor(_Say):
    # "No, that's my husband, he gets Ocrevus" is taken for medical talk; as an answer it counts.
    action_name, text_keys, prefer_answer = "action_not_a_doctor", ("not_a_doctor",), True


class ActionOutOfScope(_Say):
    action_name, text_keys, prefer_answer = "action_out_of_scope", ("out_of_scope",), True


class ActionResume(_Say):
    """ "Continue" mid-screen: the form asks its question again; an answer the classifier took for it counts."""

    action_name, prefer_answer = "action_resume", True


class ActionChooseLanguage(Action):
    """ "中文", "English please": from now on the bot writes in that language (the ``language`` slot,
    filled from the message), and the screen goes on where it was, nothing lost."""

    def name(self) -> str:
        return "action_choose_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not tracker.get_slot("introduced"):
            return [FollowupAction("action_intro")]  # the opening, in the language chosen
        chosen = trial(tracker)
        dispatcher.utter_message(text=chosen.texts["language_chosen"], language=chosen.language)
        if awaiting_consent(tracker):
            send(dispatcher, messages.intro(chosen)[1:])  # what is kept, and the consent question
            return [UserUtteranceReverted()]
        if tracker.active_loop_name or tracker.get_slot("finished"):
            return []  # the form asks its question again; after the result there is none
        screening = screening_of(tracker)
        return [FollowupAction("screening_form" if screening.current_question_id() else "action_recap")]


START_OVER = "/start_over"  # the payload of the buttons that start again (bot's and widget's)


class ActionCorrect(Action):
    """Change an earlier answer, mid-screen or from the recap.

    At the recap, a correction that names its answer ("actually I am pregnant") is applied at once
    and the recap shown again; a bare "change an answer" asks which one (the correction form).
    """

    def name(self) -> str:
        return "action_correct"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not tracker.active_loop_name:
            return self.at_recap(dispatcher, tracker)
        if sent_again(tracker) and (taken := took_as_answer(tracker, dispatcher=dispatcher)) is not None:
            return taken  # the same words again, at a question: an answer, or a miss; never a loop
        screening = screening_of(tracker)
        text = tracker.latest_message.get("text") or ""
        if not says_it_corrects(text) and (taken := took_as_answer(tracker, True, dispatcher)) is not None:
            # Said without "actually", "I meant" or 说错了, mid-screen it is read as the form reads an
            # answer ("rituximab, but that was about 2 years ago", "没有只有奥妥珠——最后一次是2个星期前"),
            # its facts kept for the questions they answer: the classifier's "correct" is a guess.
            return taken
        correction = find_correction(screening, text, today())
        if correction is None:
            taken = took_as_answer(tracker, dispatcher=dispatcher)
            if taken is not None:
                return taken  # it was an answer to the current question after all
            dispatcher.utter_message(text=trial(tracker).texts["not_corrected"])
            return noted(tracker)
        return [*apply_correction(dispatcher, tracker, screening, correction), *diverted(tracker)]

    @staticmethod
    def at_recap(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        screening = screening_of(tracker)
        text = str(tracker.latest_message.get("text") or "")
        correction = None if text.startswith("/") else find_correction(screening, text, today())
        if correction is None:
            return [FollowupAction("correction_form")]
        return [*apply_correction(dispatcher, tracker, screening, correction), FollowupAction("action_recap")]


class ActionGoBack(Action):
    """ "Go back": the previous question again (its answer dropped), mid-screen or from the recap."""

    def name(self) -> str:
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("finished"):
            dispatcher.utter_message(text=trial(tracker).texts["go_back_finished"])
            return []
        if not tracker.get_slot("started_at"):
            return reask_consent(dispatcher, tracker) if awaiting_consent(tracker) else [FollowupAction("action_intro")]
        if (taken := took_as_answer(tracker, dispatcher=dispatcher)) is not None:
            return taken  # "back surgery in May" at the surgery question is an answer
        if looks_like_question(str(tracker.latest_message.get("text") or "")):
            # "上一个月打过疫苗算吗？" is no "go back": nothing is dropped, what it says is kept
            dispatcher.utter_message(text=trial(tracker).texts["fallback"])
            return noted(tracker)
        screening = screening_of(tracker)
        if screening.go_back() is None:
            dispatcher.utter_message(text=trial(tracker).texts["go_back_none"])
            return [] if tracker.active_loop_name else [FollowupAction("action_recap")]
        # What the message also said still counts: "go back, I had the MMR 2 weeks ago" keeps the MMR.
        screening.note(str(tracker.latest_message.get("text") or ""), today())
        save(tracker, screening)
        events: list[EventType] = [SlotSet(STATE_SLOT, screening.to_dict())]
        return events if tracker.active_loop_name else [*events, FollowupAction("screening_form")]


def apply_correction(
    dispatcher: CollectingDispatcher, tracker: Tracker, screening: Screening, correction: Correction
) -> list[EventType]:
    if correction.ask_again:
        screening.forget(correction.question_id)  # the form asks it again, then the recap follows
    else:
        screening.correct(correction.question_id, correction.value)
        topic = screening.question(correction.question_id).topic
        dispatcher.utter_message(text=trial(tracker).texts["corrected"].format(topic=topic))
    save(tracker, screening)
    return [SlotSet(STATE_SLOT, screening.to_dict())]


class ValidateCorrectionForm(FormValidationAction):
    """From the recap: "which answer would you like to change?" until it is clear (or twice)."""

    def name(self) -> str:
        return "validate_correction_form"

    def validate_correction_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        screening = screening_of(tracker)
        correction = find_correction(screening, str(value or ""), today())
        if correction is not None:
            events = apply_correction(dispatcher, tracker, screening, correction)
            return {"correction_text": str(value), "correction_misses": 0.0, **{e["name"]: e["value"] for e in events}}
        misses = (tracker.get_slot("correction_misses") or 0) + 1
        if misses >= MAX_MISSES:
            return {"correction_text": "-", "correction_misses": 0.0}  # give up; the recap shows again
        dispatcher.utter_message(text=trial(tracker).texts["not_corrected"])
        return {"correction_text": None, "correction_misses": float(misses)}


class ActionAskCorrectionText(Action):
    def name(self) -> str:
        return "action_ask_correction_text"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not tracker.get_slot("correction_misses"):
            send(dispatcher, [messages.which_answer(screening_of(tracker))])
        return []


class ActionRecap(Action):
    """Before the result: the answers in short, and the chance to change any of them."""

    def name(self) -> str:
        return "action_recap"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("finished"):  # the result was given: no second recap, no second result
            dispatcher.utter_message(text=trial(tracker).texts["go_back_finished"])
            return []
        screening = screening_of(tracker)
        if screening.current_question_id() is not None:
            return [FollowupAction("screening_form")]  # a correction opened a new question
        send(dispatcher, messages.recap(screening))
        return []


class ActionFallback(Action):
    """A message the dialogue cannot place. No dead end: the recap or the current question follows."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = [UserUtteranceReverted()]
        if not tracker.get_slot("introduced") and not tracker.get_slot("started_at"):
            return [*events, FollowupAction("action_intro")]  # a first message that was no greeting: the opening
        dispatcher.utter_message(text=trial(tracker).texts["fallback"])
        if tracker.active_loop_name:
            return [*events, FollowupAction(tracker.active_loop_name)]  # the form asks its question again
        if tracker.get_slot("finished"):
            return events  # after the result there is no question to show
        if not tracker.get_slot("started_at"):
            return reask_consent(dispatcher, tracker)
        screening = screening_of(tracker)
        # A question is open (after an emergency message, say): the form asks it again; else the recap.
        return [*events, FollowupAction("screening_form" if screening.current_question_id() else "action_recap")]


class ActionStartOver(Action):
    """Starting again wipes the answers, so it is confirmed first.

    A button press ("/start_over": the widget's own confirmed button, or ours) or a "yes" to our
    question starts again. A message the classifier took for it that answers the current
    question ("yes, I can take the train") is that answer. Anything else asks first.
    """

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        confirmed = (tracker.latest_message.get("text") or "").strip() == START_OVER or (
            tracker.get_intent_of_latest_message() == "affirm"
        )
        if confirmed:
            # "restarted": the widget clears the old result and the progress
            dispatcher.utter_message(text=trial(tracker).texts["start_over"], kind="restarted")
            return [Restarted(), FollowupAction("action_intro")]
        taken = took_as_answer(tracker, dispatcher=dispatcher)
        if taken is not None:
            return [*taken, FollowupAction("screening_form")]
        buttons = [
            {"title": trial(tracker).texts["start_over_yes"], "payload": START_OVER},
            {"title": trial(tracker).texts["start_over_no"], "payload": "/resume"},
        ]
        dispatcher.utter_message(text=trial(tracker).texts["start_over_question"], buttons=buttons)
        return []
