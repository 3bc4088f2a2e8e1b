"""Whole screenings through the real Rasa server, the real action server and a real SQLite database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.storage.records import Records
from bot.trial.model import Trial, load_trial
from tests.servers import Servers

pytestmark = pytest.mark.servers
TRIAL = load_trial()
ZH = load_trial(None, "zh")
TRIALS = (TRIAL, ZH)  # a message in Chinese is answered in Chinese
CONTACT = "+86 135 0519 3169"
RECAP_OK = "yes"

# Answers, in order, of someone who may be a fit (no child possible, one steady immunosuppressant).
FIT = {
    "age": "I'm 34",
    "lupus_diagnosis": "yes",
    "kidney_involvement": "yes",
    "protein_result": "UPCR 1.8 g/g",
    "pregnant_or_breastfeeding": "no",
    "could_have_children": "no",
    "cancer_history": "no",
    "medicines": "cellcept and plaquenil",
    "infusions": "no",
    "dose:mycophenolate_mofetil": "same dose",
    "plasma_procedure": "no",
    "infection_serious": "no",
    "infection_treated": "no",
    "chronic_infection": "no",
    "surgery_recent": "no",
    "surgery_planned": "no",
    "vaccine_recent": "no",
    "vaccine_planned": "no",
    "serious_illness": "no",
    "willing": "yes",
}


class Answering:
    """Answers a whole screen through any channel: a subclass gives ``send`` and ``last``."""

    last: list[str]

    def send(self, *lines: str) -> list[str]:
        raise NotImplementedError

    def answer_until_done(self, answers: dict[str, str], limit: int = 40, trial: Trial = TRIAL) -> list[str]:
        """Answer each question the bot asks (in ``trial``'s language) from ``answers`` until the recap
        or the result."""
        for _ in range(limit):
            asked = [q for q in [*trial.questions.values(), *trial.follow_ups.values()] if self._asks(q.text)]
            if not asked:
                return self.last
            qid = self._question_id(asked[-1].id, answers)
            self.send(answers[qid])
        raise AssertionError(f"the screen did not end: {self.last}")

    def _asks(self, text: str) -> bool:
        # Its start, or where it starts with a placeholder ("{medicine}的剂量，您是不是..."), its longest part.
        fixed = text.split("{")[0][:40] or max(re.split(r"\{[^}]*\}", text), key=len)[:40]
        return any(fixed in t for t in self.last[-1:])

    def _question_id(self, base: str, answers: dict[str, str]) -> str:
        if base in TRIAL.questions:
            return base
        return next(k for k in answers if k.startswith(base + ":"))


@dataclass
class Chat(Answering):
    servers: Servers
    sender: str
    said: list[str] = field(default_factory=list)  # everything the bot said
    last: list[str] = field(default_factory=list)  # what it said to the last message

    def send(self, *lines: str) -> list[str]:
        for line in lines:
            self.last = self.servers.texts(self.sender, line)
            self.said += self.last
        return self.last


def start(servers: Servers, sender: str, consent: str = "yes") -> Chat:
    chat = Chat(servers, sender)
    chat.send("hello", consent)
    return chat


def reference_in(texts: list[str]) -> str:
    found = re.search(r"(?<![A-Z0-9])S-[A-Z0-9]{10}(?![A-Z0-9])", " ".join(texts))
    assert found, f"no reference in {texts}"
    return found.group(0)


def closes_properly(texts: list[str]) -> bool:
    return any(trial.texts["provider"] in t and CONTACT in t for t in texts for trial in TRIALS)


def says_outcome(texts: list[str], outcome: str) -> bool:
    """The result card opens with the outcome in one sentence (in the conversation's language)."""
    return any(t.startswith(trial.outcomes[outcome]) for t in texts for trial in TRIALS)


# ----------------------------------------------------------------- complete screenings
SCREENINGS = [
    # name, changed answers, outcome, (criterion, reason) that must be given
    ("may-fit", {}, "may_fit", None),
    ("old", {"age": "I am 70 years old"}, "likely_not", ("inc_age", "too_old")),
    ("low-protein", {"protein_result": "PCR 100 mg/mmol"}, "likely_not", ("inc_proteinuria", "below")),
    ("borderline-protein", {"protein_result": "1100 mg/g"}, "needs_team", ("inc_proteinuria", "borderline")),
    (
        "pregnant",
        {"pregnant_or_breastfeeding": "yes I'm pregnant"},
        "likely_not",
        ("exc_pregnancy", "yes"),
    ),
    ("recent-rituximab", {"infusions": "rituximab 2 months ago"}, "likely_not", ("exc_b_cell_depletion", "inside")),
    (
        "dose-changed",
        {"dose:mycophenolate_mofetil": "it went up", "dose_when:mycophenolate_mofetil": "about 3 months ago"},
        "needs_team",
        ("exc_immunosuppressant_dose", "changed_near"),
    ),
    ("hep-b", {"chronic_infection": "hepatitis B carrier"}, "needs_team", ("exc_infection", "chronic")),
    ("live-vaccine", {"vaccine_recent": "MMR 3 weeks ago"}, "likely_not", ("exc_live_vaccine", "inside")),
    ("shingrix", {"vaccine_recent": "shingrix in october"}, "may_fit", None),
    (
        "bcc",
        {"cancer_history": "yes", "cancer_type": "basal cell carcinoma", "cancer_removed": "yes, it was cut out"},
        "may_fit",
        None,
    ),
    (
        "breast-cancer",
        {"cancer_history": "yes", "cancer_type": "breast cancer"},
        "likely_not",
        ("exc_malignancy", "excluded"),
    ),
    ("thirty-four-in-words", {"age": "thirty-four", "medicines": "Cell-Cept, hydroxychloroquin"}, "may_fit", None),
]


@pytest.mark.parametrize(("name", "changes", "outcome", "reason"), SCREENINGS, ids=[s[0] for s in SCREENINGS])
def test_complete_screenings(
    servers: Servers, name: str, changes: dict[str, str], outcome: str, reason: tuple[str, str] | None
) -> None:
    chat = start(servers, f"screen-{name}")
    last = chat.answer_until_done({**FIT, **changes})
    if TRIAL.texts["recap_question"] in last:
        last = chat.send(RECAP_OK)
    assert says_outcome(last, outcome)
    assert closes_properly(last)
    if reason:
        criterion, key = reason
        assert TRIAL.criterion(criterion).reasons[key].split("{")[0] in " ".join(last)
    saved = Records(servers.db).get(reference_in(last))
    assert saved is not None
    assert (saved["status"], saved["outcome"]) == ("completed", outcome)
    assert saved["channel"] == "rest"


def test_the_record_holds_normalised_answers_not_words(servers: Servers) -> None:
    chat = start(servers, "record-1")
    last = chat.answer_until_done({**FIT, "medicines": "cellcept and some herbal tea"})
    last = chat.send(RECAP_OK)
    saved = Records(servers.db).get(reference_in(last))
    assert saved is not None
    assert saved["answers"]["age"] == {"min_years": 34, "max_years": 34, "days_to_birthday": None}
    assert saved["answers"]["medicines"]["unknown"] == 1
    # Every file of the records database: new rows sit in the write-ahead log until a checkpoint.
    files = list(servers.db.parent.glob(servers.db.name + "*"))
    assert any(f.name.endswith("-wal") for f in files)
    assert not [f for f in files if b"herbal" in f.read_bytes()]


# --------------------------------------------------------------------------- the opening
def test_someone_who_declines_consent_can_screen_and_nothing_is_stored(servers: Servers) -> None:
    before = Records(servers.db).count()
    chat = Chat(servers, "private-1")
    assert TRIAL.texts["consent_question"] in chat.send("hello")
    chat.send("no")
    chat.answer_until_done(FIT)
    last = chat.send(RECAP_OK)
    assert says_outcome(last, "may_fit") and closes_properly(last)
    assert not any("reference" in t.lower() for t in last)
    assert Records(servers.db).count() == before


# ----------------------------------------------------------------------- mid-screen turns
def test_an_answer_not_understood_is_asked_again_then_goes_to_the_team(servers: Servers) -> None:
    chat = start(servers, "unclear-1")
    chat.send("40")
    assert chat.send("yes and no") == [TRIAL.questions["lupus_diagnosis"].retry]
    moved_on = chat.send("no and yes")
    assert TRIAL.texts["gave_up"] in moved_on
    assert any(TRIAL.questions["kidney_involvement"].text in t for t in moved_on)


@pytest.mark.parametrize(
    ("question", "faq"),
    [
        ("what is lupus nephritis?", "what_is_lupus_nephritis"),
        ("what does randomised mean", "randomised"),
        ("where is the study done", "where"),
        ("will I get paid?", "costs"),
        ("what do you do with my answers", "what_is_stored"),
        ("is this chat going to tell me if I qualify", "can_chat_decide"),
    ],
)
def test_questions_of_their_own_are_answered_and_the_screen_goes_on(servers: Servers, question: str, faq: str) -> None:
    chat = start(servers, f"faq-{faq}")
    chat.send("40")
    reply = chat.send(question)
    assert reply[0] == TRIAL.faq[faq]
    assert TRIAL.questions["lupus_diagnosis"].text in reply[-1]


def test_why_a_question_is_asked(servers: Servers) -> None:
    chat = start(servers, "why-1")
    reply = chat.send("why do you need to know that?")
    assert reply[0].endswith(TRIAL.questions["age"].why)
    assert TRIAL.questions["age"].text in reply[-1]


def test_asking_for_a_person_or_for_medical_advice(servers: Servers) -> None:
    chat = start(servers, "person-1")
    assert any(CONTACT in t for t in chat.send("can I talk to a real person?"))
    assert TRIAL.texts["not_a_doctor"] in chat.send("should I take more prednisone?")
    assert TRIAL.texts["out_of_scope"] in chat.send("tell me a joke")
    assert TRIAL.questions["age"].text in chat.last[-1]


def test_changing_an_answer_mid_screen(servers: Servers) -> None:
    chat = start(servers, "correct-1")
    chat.send("I'm 34", "yes")
    ended = chat.send("actually I'm 70")  # a correction can end the screen early: straight to the recap
    assert TRIAL.texts["corrected"].format(topic="your age") in ended
    assert TRIAL.texts["recap_question"] in ended and any("- your age: 70" in t for t in ended)
    chat = start(servers, "correct-2")
    chat.send("I'm 34", "yes")
    reply = chat.send("actually I'm 45")
    assert TRIAL.texts["corrected"].format(topic="your age") in reply
    assert TRIAL.questions["kidney_involvement"].text in reply[-1]


def test_picking_a_recap_line_asks_that_question_again(servers: Servers) -> None:
    chat = start(servers, "recap-pick-1")
    chat.answer_until_done(FIT)
    chat.send("/correct")
    assert TRIAL.texts["which_answer"] in chat.last
    reply = chat.send(TRIAL.questions["vaccine_recent"].topic)  # the button's payload
    assert TRIAL.questions["vaccine_recent"].text in reply[-1]
    recap = chat.send("MMR 3 weeks ago")
    assert TRIAL.texts["recap_question"] in recap and any("MMR" in t and "weeks ago" in t for t in recap)
    result = chat.send(RECAP_OK)
    assert says_outcome(result, "likely_not")


def test_a_pregnancy_told_at_the_recap_changes_only_that_answer(servers: Servers) -> None:
    chat = start(servers, "recap-pregnant-1")
    chat.answer_until_done(FIT)
    chat.send("/correct")
    again = chat.send("actually I am pregnant")
    assert TRIAL.texts["corrected"].format(topic=TRIAL.questions["pregnant_or_breastfeeding"].topic) in again
    result = chat.send(RECAP_OK)
    assert says_outcome(result, "likely_not")
    saved = Records(servers.db).get(reference_in(result))
    assert saved is not None and saved["answers"]["willing"] == "yes"
    assert saved["answers"]["pregnant_or_breastfeeding"] == "yes"


def test_changing_an_answer_from_the_recap(servers: Servers) -> None:
    chat = start(servers, "recap-1")
    last = chat.answer_until_done(FIT)
    assert TRIAL.texts["recap_question"] in last and any("- your age: 34" in t for t in chat.said)
    assert TRIAL.texts["which_answer"] in chat.send("/correct")
    again = chat.send("my age is 70")
    assert TRIAL.texts["corrected"].format(topic="your age") in again
    assert any("- your age: 70" in t for t in again)
    result = chat.send(RECAP_OK)
    assert says_outcome(result, "likely_not") and closes_properly(result)


def test_i_do_not_know(servers: Servers) -> None:
    chat = start(servers, "idk-1")
    chat.send("40", "I don't know")
    assert TRIAL.questions["kidney_involvement"].text in chat.last[-1]


def test_starting_over_is_confirmed_first(servers: Servers) -> None:
    chat = start(servers, "over-1")
    chat.send("40")
    assert chat.send("can we start over") == [TRIAL.texts["start_over_question"]]
    reply = chat.send("yes")
    assert TRIAL.texts["start_over"] in reply and TRIAL.texts["consent_question"] in reply
    chat.send("yes")
    assert TRIAL.questions["age"].text in chat.last[-1]


def test_starting_over_can_be_declined_and_nothing_is_lost(servers: Servers) -> None:
    chat = start(servers, "over-2")
    chat.send("40")
    assert chat.send("i want to start over") == [TRIAL.texts["start_over_question"]]
    reply = chat.send("no")
    assert TRIAL.questions["lupus_diagnosis"].text in reply[-1]
    assert TRIAL.questions["kidney_involvement"].text in chat.send("yes")[-1]


def test_the_start_over_button_starts_again_at_once(servers: Servers) -> None:
    chat = start(servers, "over-3")
    chat.send("40")
    reply = chat.send("/start_over")  # the widget confirms before it sends this
    assert TRIAL.texts["start_over"] in reply and TRIAL.texts["consent_question"] in reply


def test_stopping_mid_screen_closes_with_guidance_and_keeps_a_stopped_record(servers: Servers) -> None:
    chat = start(servers, "stop-1")
    chat.send("40", "yes")
    closing = chat.send("stop")
    assert TRIAL.texts["stopped"] in closing and closes_properly(closing)
    saved = Records(servers.db).get(reference_in(closing))
    assert saved is not None and saved["status"] == "stopped"
    assert saved["answers"]["lupus_diagnosis"] == "yes"


# ---------------------------------------------------------------------------- safety
def test_a_red_flag_interrupts_and_the_screen_resumes_when_they_are_safe(servers: Servers) -> None:
    chat = start(servers, "red-1")
    chat.send("40")
    reply = chat.send("I have crushing chest pain right now")
    # The emergency message first, then the question again: no dead end.
    assert reply[0] == TRIAL.texts["emergency"] and TRIAL.questions["lupus_diagnosis"].text in reply[-1]
    reply = chat.send("continue")
    assert TRIAL.questions["lupus_diagnosis"].text in reply[-1]


def test_an_answer_right_after_an_emergency_message_simply_continues(servers: Servers) -> None:
    chat = start(servers, "red-2")
    chat.send("40")
    chat.send("我不舒服,胸痛")
    assert chat.last[0] == ZH.texts["emergency"]  # in Chinese, as it was written
    reply = chat.send("yes")
    assert ZH.questions["kidney_involvement"].text in reply[-1]
    reply = chat.send("qwzx vbnm")  # not understood: the question is shown again, never a dead end
    assert reply[-1] == ZH.questions["kidney_involvement"].retry


def screen_through(servers: Servers, sender: str, answers: dict[str, str]) -> tuple[str, list[str]]:
    """A whole screen over REST, answering each question the bot names (by its id) from ``answers``,
    else as someone who may fit; the outcome, and every text the bot sent."""
    return finish(servers, sender, servers.say(sender, "hello") + servers.say(sender, "yes"), answers)


def finish(
    servers: Servers, sender: str, said: list[dict[str, Any]], answers: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """Go on from what the bot just ``said`` to the result."""
    texts: list[str] = [m.get("text", "") for m in said]
    for _ in range(60):
        card = next((m for m in said if m.get("kind") == "result"), None)
        if card:
            return str(card["outcome"]), texts
        asked = [m["question"] for m in said if m.get("question")]
        reply = "yes" if not asked else (answers or {}).get(asked[-1], SAFE_FIT.get(asked[-1], "no"))
        said = servers.say(sender, reply)
        texts += [m.get("text", "") for m in said]
    raise AssertionError(f"the screen did not end: {texts[-3:]}")


SAFE_FIT = {**FIT, "dose:mycophenolate_mofetil": "same dose for more than 3 months"}
ALARMS = tuple(trial.texts[key] for trial in TRIALS for key in ("emergency", "crisis"))


@pytest.mark.parametrize(
    ("name", "answers", "outcome"),
    [
        ("breastfeeding", {"pregnant_or_breastfeeding": "breastfeeding"}, "likely_not"),
        ("i-am-breastfeeding", {"pregnant_or_breastfeeding": "I am breastfeeding"}, "likely_not"),
        ("breastfeeding-my-baby", {"pregnant_or_breastfeeding": "yes, I'm breastfeeding my baby"}, "likely_not"),
        (
            "a-man",
            {
                "pregnant_or_breastfeeding": "no, I'm a man",
                "could_have_children": "yes",
                "could_become_pregnant": "no, I'm a man",
                "contraception_agree": "yes",
            },
            "may_fit",
        ),
        ("no-chest-pain", {"serious_illness": "no chest pain"}, "may_fit"),
        ("no-chest-pain-zh", {"serious_illness": "没有胸痛"}, "may_fit"),
    ],
)
def test_ordinary_answers_finish_without_an_alarm(
    servers: Servers, name: str, answers: dict[str, str], outcome: str
) -> None:
    result, texts = screen_through(servers, f"no-alarm-{name}", answers)
    assert not [t for t in texts if t in ALARMS], name
    assert result == outcome


def answer_until(servers: Servers, sender: str, question: str) -> None:
    """Begin a screen and answer as someone who may fit until the bot asks ``question``."""
    said = servers.say(sender, "hello") + servers.say(sender, "yes")
    for _ in range(40):
        asked = [m["question"] for m in said if m.get("question")]
        if asked and asked[-1] == question:
            return
        said = servers.say(sender, SAFE_FIT.get(asked[-1], "no") if asked else "yes")
    raise AssertionError(f"{question} was never asked")


def test_a_partly_read_answer_keeps_its_fact_when_a_button_is_tapped(servers: Servers) -> None:
    sender = "partly-read-1"
    answer_until(servers, sender, "cancer_history")
    again = servers.say(sender, "No, lymphoma")
    assert again[-1]["question"] == "cancer_history" and "lymphoma" in again[-1]["text"]
    assert "No, someone else" in [b["title"] for b in again[-1]["buttons"]]
    result, texts = finish(servers, sender, servers.say(sender, "No"))  # the tapped button erases nothing
    assert result == "needs_team"
    assert any("lymphoma" in t for t in texts), "the recap shows what was read"


def test_an_alarm_followed_by_the_same_answer_continues(servers: Servers) -> None:
    sender = "alarm-once-1"
    answer_until(servers, sender, "serious_illness")
    answer = "yes, my chest hurts all the time"
    first = servers.texts(sender, answer)
    assert first[0] == TRIAL.texts["emergency"]
    again = servers.say(sender, answer)  # the same answer again is taken as the answer
    assert not [m for m in again if m.get("text") in ALARMS]
    assert again[-1]["question"] == "willing"


def test_what_a_message_that_raised_an_alarm_says_still_counts(servers: Servers) -> None:
    sender = "alarm-facts-1"
    answer_until(servers, sender, "could_have_children")
    first = servers.texts(sender, "还在哺乳期，我现在胸口痛得厉害")
    assert first[0] == ZH.texts["emergency"]
    result, _ = finish(servers, sender, servers.say(sender, "No"))  # a tapped button
    assert result == "likely_not", "breastfeeding, said in the message that raised the alarm, is kept"


@pytest.mark.parametrize(
    ("sender", "answer"),
    [
        ("alarm-exception-en", "no, apart from my epilepsy which isn't really controlled, 2 seizures this week"),
        ("alarm-exception-zh", "没有，就是癫痫一直控制不太好，上个月还发过一次"),
    ],
)
def test_an_exception_in_a_message_not_taken_as_the_answer_stands_against_a_tapped_no(
    servers: Servers, sender: str, answer: str
) -> None:
    """Held-out 2026-12-06f: this got the emergency message (a seizure), was never read as an answer,
    and the "No" tapped after it ended "may be a fit". A seizure last month is not an emergency now,
    and the classifier may see that (issue 18's eighth round does for the Chinese one): either way,
    the message is not the answer, and what it says stands against the "No" tapped after it."""
    answer_until(servers, sender, "serious_illness")
    first = servers.texts(sender, answer)
    asked_again = (TRIAL.questions["serious_illness"].retry, ZH.questions["serious_illness"].retry)
    assert first[0] in ALARMS or first[-1] in asked_again
    result, _ = finish(servers, sender, servers.say(sender, "No"))
    assert result == "needs_team"


def test_an_alarm_sent_again_that_answers_nothing_is_a_miss_not_a_loop(servers: Servers) -> None:
    sender = "alarm-miss-1"
    answer_until(servers, sender, "age")
    text = "my chest hurts really badly right now"
    assert servers.texts(sender, text)[0] == TRIAL.texts["emergency"]
    again = servers.say(sender, text)
    assert not [m for m in again if m.get("text") in ALARMS]
    assert again[-1]["question"] == "age" and again[-1]["text"] == TRIAL.questions["age"].retry


@pytest.mark.parametrize("message", ["where is the study done", "should I take more prednisone?"])
def test_a_message_sent_elsewhere_then_sent_again_is_a_miss_never_a_loop(servers: Servers, message: str) -> None:
    sender = f"sent-again-{len(message)}"
    answer_until(servers, sender, "age")
    first = servers.texts(sender, message)
    assert TRIAL.questions["age"].text in first[-1] and len(first) > 1, "answered, then the question"
    second = servers.texts(sender, message)
    assert second[-1] == TRIAL.questions["age"].retry, "the same words again are a miss: the question rephrased"
    assert first[0] not in second
    third = servers.say(sender, message)
    assert TRIAL.texts["gave_up"] in [m.get("text") for m in third], "after the last miss the team checks"
    assert third[-1]["question"] == "lupus_diagnosis"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("infection_serious", "没啥大事，就上个月底肾盂肾炎住了几天院，挂的头孢"),
        ("could_have_children", "现在应该怀不上，还在哺乳期，孩子才四个月"),
    ],
)
def test_an_answer_stating_facts_gets_no_alarm_the_keyword_layer_did_not_raise(
    servers: Servers, question: str, answer: str
) -> None:
    sender = f"facts-no-alarm-{question}"
    answer_until(servers, sender, question)
    said = servers.say(sender, answer)
    assert not [m for m in said if m.get("text") in ALARMS], answer
    result, _ = finish(servers, sender, said)
    assert result != "may_fit"


# Requests for information as people say them, not as questions: "我想了解干细胞" is neither stem cells
# taken nor a "no"; "想了解一下费用" was once the crisis message (the classifier's self_harm at 0.85).
REQUESTS = [
    *(
        f"{ask}{topic}"
        for ask in ("我想了解", "想了解一下", "想问一下", "请问", "我想知道", "介绍一下", "想咨询一下")
        for topic in ("干细胞", "费用", "白介素2", "在哪里做", "研究要多久", "怎么分组", "报名流程")
    ),
    *(
        f"{ask} {topic}"
        for ask in ("tell me about", "i want to know about", "i'd like to know about", "please explain")
        for topic in ("the costs", "stem cells", "il-2", "where it happens", "how long it takes", "the groups")
    ),
]
FAQ_ANSWERS = {text for trial in TRIALS for text in trial.faq.values()}


@pytest.mark.parametrize("question", ["pregnant_or_breastfeeding", "medicines"])
def test_a_request_for_information_gets_its_answer_and_records_nothing(servers: Servers, question: str) -> None:
    """No alarm and nothing recorded for any; the answer to nearly all (the classifier decides which)."""
    sender = f"requests-{question}"
    answer_until(servers, sender, question)
    unanswered = []
    for text in REQUESTS:
        said = servers.say(sender, text)
        texts = [m.get("text", "") for m in said]
        assert not [t for t in texts if t in ALARMS], text
        assert [m["question"] for m in said if m.get("question")][-1:] == [question], (text, texts)
        if not FAQ_ANSWERS.intersection(texts):
            unanswered.append(text)
    # The classifier may miss one ("i'd like to know about where it happens": asked again, nothing kept)
    assert len(unanswered) <= len(REQUESTS) // 20, unanswered


def test_self_harm_gets_the_crisis_message(servers: Servers) -> None:
    chat = start(servers, "crisis-1")
    reply = chat.send("I don't want to live anymore")
    assert reply[0] == TRIAL.texts["crisis"] and TRIAL.questions["age"].text in reply[-1]
    assert "12356" in TRIAL.texts["crisis"]


def test_a_typed_intent_cannot_set_a_value_or_skip_a_question(servers: Servers) -> None:
    chat = start(servers, "inject-1")
    chat.send('/inform{"answer": "34", "screening_state": {"answers": {"age": 99}}, "consent": false}')
    assert TRIAL.texts["out_of_scope"] in chat.last and TRIAL.questions["age"].text in chat.last[-1]
    chat.send("/affirm")  # a button payload, but no answer to "how old are you?"
    assert chat.last == [TRIAL.questions["age"].retry]
    closing = chat.send("stop")
    saved = Records(servers.db).get(reference_in(closing))
    assert saved is not None and "age" not in saved["answers"]


def test_stopping_before_any_answer_closes_with_guidance_only(servers: Servers) -> None:
    chat = start(servers, "stop-early-1")
    closing = chat.send("stop")
    assert TRIAL.texts["stopped"] in closing and closes_properly(closing)
    assert not any(t.startswith(tuple(TRIAL.outcomes.values())) for t in closing)  # no result without answers


def test_an_answer_not_understood_then_a_pause_still_shows_the_question(servers: Servers) -> None:
    chat = start(servers, "pause-1")
    chat.send("40", "yes and no")
    chat.send("I have chest pain right now")
    reply = chat.send("continue")
    assert reply[-1] == TRIAL.questions["lupus_diagnosis"].retry


def test_a_question_of_their_own_while_asked_for_medicines_is_not_taken_for_a_medicine(servers: Servers) -> None:
    chat = start(servers, "faq-meds-1")
    for qid in (
        "age",
        "lupus_diagnosis",
        "kidney_involvement",
        "protein_result",
        "pregnant_or_breastfeeding",
        "could_have_children",
        "cancer_history",
    ):
        chat.send(FIT[qid])
    assert TRIAL.questions["medicines"].text in chat.last[-1]
    reply = chat.send("what is lupus?")
    assert reply[0] == TRIAL.faq["what_is_lupus"]
    assert TRIAL.questions["medicines"].text in reply[-1]


# ----------------------------------------------------------------- the opening, and details on request
def test_an_answer_not_understood_at_consent_asks_again_with_its_buttons(servers: Servers) -> None:
    servers.say("consent-miss-1", "hello")
    again = servers.say("consent-miss-1", "hmm, what?")
    assert again[-1]["text"] == TRIAL.texts["consent_question"]
    assert [b["title"] for b in again[-1]["buttons"]] == ["Yes", "No"]
    assert servers.texts("consent-miss-1", "yes")[0] == TRIAL.texts["consent_yes"]


def test_a_question_at_consent_is_answered_then_consent_is_asked_again(servers: Servers) -> None:
    servers.say("consent-faq-1", "hello")
    reply = servers.say("consent-faq-1", "what is lupus?")
    assert reply[0]["text"] == TRIAL.faq["what_is_lupus"]
    assert reply[-1]["text"] == TRIAL.texts["consent_question"] and reply[-1]["buttons"]
    assert servers.texts("consent-faq-1", "yes")[0] == TRIAL.texts["consent_yes"]  # a "yes" now is consent


def test_a_first_message_that_is_no_greeting_gets_the_opening(servers: Servers) -> None:
    reply = servers.texts("no-greeting-1", "40")
    assert TRIAL.texts["fallback"] not in reply and reply[-1] == TRIAL.texts["consent_question"]


def test_details_come_on_request_after_the_result(servers: Servers) -> None:
    chat = start(servers, "details-1")
    assert chat.send("details")[0] == TRIAL.texts["details_later"]  # mid-screen: later, then the question
    assert chat.last[-1].startswith(TRIAL.questions["age"].text)
    chat.answer_until_done(FIT)
    result = servers.say("details-1", RECAP_OK)
    # The call-back on offer, last, with the details: a text channel numbers the last message's options.
    assert [m.get("buttons") for m in result][-1] == [
        {"title": TRIAL.texts["callback_yes"], "payload": "/affirm"},
        {"title": TRIAL.texts["callback_no"], "payload": "/deny"},
        {"title": TRIAL.texts["details_button"], "payload": "/details"},
    ]
    assert not any(m.get("buttons") for m in result[:-1])
    details = chat.send("/details")  # the button's payload (Rasa's REST channel splits at blank lines)
    assert details[0] == TRIAL.texts["details_heading"]
    assert all(c.summary in "\n".join(details) for c in TRIAL.criteria), details
    assert chat.send("show me the details") == details  # typed, too


def test_no_details_after_stopping_before_any_answer(servers: Servers) -> None:
    chat = start(servers, "details-2")
    chat.send("stop")
    assert chat.send("/details") == [TRIAL.texts["details_none"]]


def test_the_served_model_runs_with_every_patch_installed(servers: Servers) -> None:
    from rasa_plugins.__main__ import ALL

    log = (servers.logs / "rasa.log").read_text(encoding="utf-8")
    assert f"Rasa patches installed: {', '.join(p.name for p in ALL)}\n" in log
    assert "Not installing the Rasa patch" not in log
