"""The end of a screen through the real servers: a call-back asked for, declined and cancelled; going
back; corrections and start over at the recap; questions about the result; the funnel's counts."""

from __future__ import annotations

import pytest

from bot.storage import callbacks, funnel
from bot.storage.records import Records
from tests.servers import Servers
from tests.test_end_to_end import FIT, RECAP_OK, TRIAL, ZH, Chat, reference_in, says_outcome, start

pytestmark = pytest.mark.servers
ZH_FIT = {
    **{k: "没有" for k in FIT if FIT[k] == "no"},
    "age": "34岁",
    "lupus_diagnosis": "是",
    "kidney_involvement": "是",
    "protein_result": "尿蛋白肌酐比1.8克每克",
    "medicines": "骁悉和硫酸羟氯喹",
    "dose:mycophenolate_mofetil": "剂量一直没变",
    "willing": "愿意",
}


def to_result(servers: Servers, sender: str, answers: dict[str, str] = FIT, consent: str = "yes") -> Chat:
    chinese = answers is ZH_FIT
    chat = start(servers, sender, consent)
    chat.answer_until_done(answers, trial=ZH if chinese else TRIAL)
    chat.send("对" if chinese else RECAP_OK)
    return chat


def test_a_call_back_is_offered_taken_down_stored_and_can_be_cancelled(servers: Servers) -> None:
    chat = to_result(servers, "callback-en-1")
    assert says_outcome(chat.last, "may_fit")
    assert chat.last[-1].startswith(TRIAL.texts["callback_offer"].split("?")[0])
    assert TRIAL.texts["callback_name"] in chat.send("/affirm")  # the "Yes, please call me" button
    assert TRIAL.texts["callback_phone"].split("?")[0] in chat.send("my name is Li Na")[0]
    assert TRIAL.texts["callback_phone_retry"].split(".")[0] in chat.send("138 1234")[0]  # a digit short: again
    assert chat.send("138 1234 5678")[0].startswith(TRIAL.texts["callback_time"].split("?")[0])
    saved = chat.send("mornings")
    reference = reference_in(saved)
    assert "+8613812345678" in saved[0] and "Li Na" in saved[0]
    records = Records(servers.db)
    row = next(r for r in callbacks.call_list(records.db) if r["reference"] == reference)
    assert (row["name"], row["phone"], row["best_time"], row["outcome"], row["language"], row["status"]) == (
        "Li Na",
        "+8613812345678",
        "morning",
        "may_fit",
        "en",
        "to_call",
    )
    assert records.get(reference) is not None  # linked to the screening by its reference
    for log in ("rasa.log", "actions.log"):  # never written to a log
        assert "13812345678" not in (servers.logs / log).read_text(errors="replace")
    assert chat.send("please cancel my call back") == [TRIAL.texts["callback_cancelled"]]
    assert all(r["reference"] != reference for r in callbacks.call_list(records.db))


def test_declining_the_call_back_keeps_nothing_personal(servers: Servers) -> None:
    chat = to_result(servers, "callback-en-2")
    before = len(callbacks.call_list(Records(servers.db).db))
    assert chat.send("/deny") == [TRIAL.texts["callback_declined"]]
    assert len(callbacks.call_list(Records(servers.db).db)) == before


def test_stop_while_the_call_back_is_taken_down_keeps_nothing(servers: Servers) -> None:
    chat = to_result(servers, "callback-en-3")
    before = len(callbacks.call_list(Records(servers.db).db))
    chat.send("yes", "Li Na")
    assert chat.send("stop") == [TRIAL.texts["callback_declined"]]
    assert len(callbacks.call_list(Records(servers.db).db)) == before


def test_a_call_back_in_chinese_for_someone_who_kept_no_answers(servers: Servers) -> None:
    chat = to_result(servers, "callback-zh-1", ZH_FIT, consent="不同意")
    assert says_outcome(chat.last, "may_fit") and ZH.texts["callback_yes"] not in chat.last[-1]
    assert ZH.texts["callback_name"] in chat.send("好的")
    chat.send("我叫王芳", "13912345678")
    saved = chat.send("上午")
    reference = reference_in(saved)
    records = Records(servers.db)
    row = next(r for r in callbacks.call_list(records.db) if r["reference"] == reference)
    assert (row["name"], row["phone"], row["best_time"], row["language"]) == ("王芳", "+8613912345678", "morning", "zh")
    assert records.get(reference) is None  # the answers were not kept: only the call-back, by its own consent


def test_no_call_back_for_someone_likely_not_a_fit_who_is_told_where_else_to_look(servers: Servers) -> None:
    chat = to_result(servers, "callback-none-1", {**FIT, "age": "I am 70 years old"})
    assert says_outcome(chat.last, "likely_not")
    assert not any(TRIAL.texts["callback_yes"] in t for t in chat.last)
    assert any(TRIAL.texts["other_studies"] in t for t in chat.last)
    hours = TRIAL.texts["phone_hours"].format(times=", ".join(TRIAL.phone_hours))
    assert any(hours in t for t in chat.last)
    why = chat.send("why am I not a fit?")
    assert why[0].startswith(TRIAL.texts["details_heading"]) and "65" in " ".join(why)


def test_go_back_asks_the_previous_question_again(servers: Servers) -> None:
    chat = start(servers, "back-1")
    chat.send("40", "yes")
    assert TRIAL.questions["kidney_involvement"].text in chat.last[-1]
    assert TRIAL.questions["lupus_diagnosis"].text in chat.send("go back")[-1]
    assert TRIAL.questions["kidney_involvement"].text in chat.send("yes")[-1]


def test_a_typed_correction_at_the_recap_is_applied_at_once(servers: Servers) -> None:
    chat = start(servers, "recap-typed-1")
    chat.answer_until_done(FIT)
    again = chat.send("actually I am pregnant")
    assert TRIAL.texts["corrected"].format(topic=TRIAL.questions["pregnant_or_breastfeeding"].topic) in again
    assert TRIAL.texts["recap_question"] in again
    assert says_outcome(chat.send(RECAP_OK), "likely_not")


def test_start_over_is_understood_while_choosing_an_answer_to_change(servers: Servers) -> None:
    chat = start(servers, "recap-over-1")
    chat.answer_until_done(FIT)
    assert TRIAL.texts["which_answer"] in chat.send("/correct")
    assert chat.send("start over") == [TRIAL.texts["start_over_question"]]
    reply = chat.send("yes")
    assert TRIAL.texts["start_over"] in reply and TRIAL.texts["consent_question"] in reply


def test_the_funnel_counts_match_the_records(servers: Servers) -> None:
    db = Records(servers.db).db
    before, at_before, statuses_before = funnel.totals(db), funnel.left_at(db), _statuses(db)
    to_result(servers, "funnel-1")  # completes, may fit
    to_result(servers, "funnel-2", {**FIT, "age": "70"}, consent="no")  # completes, keeps nothing
    chat = start(servers, "funnel-3")
    chat.send("40", "yes", "stop")  # stops after two answers
    left = start(servers, "funnel-4")
    left.send("40")  # leaves after one
    after = funnel.totals(db)
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert {k: v for k, v in delta.items() if v} == {
        "started": 4,
        "agreed": 3,
        "declined": 1,
        "completed": 2,
        "outcome:may_fit": 1,
        "outcome:likely_not": 1,
        "stopped": 1,
        "callback_offered": 1,
    }
    at = funnel.left_at(db)
    moved = {q: at.get(q, 0) - at_before.get(q, 0) for q in set(at) | set(at_before)}
    assert {q: n for q, n in moved.items() if n} == {"age": 1, "lupus_diagnosis": 1}
    statuses_after = _statuses(db)
    grew = {k: statuses_after.get(k, 0) - statuses_before.get(k, 0) for k in statuses_after}
    # Those who kept their answers: as many records as agreed, each where the funnel says it ended.
    assert sum(grew.values()) == delta["agreed"]
    assert grew == {"completed": 1, "stopped": 1, "in_progress": 1}


def _statuses(db: object) -> dict[str, int]:
    rows = db.query("SELECT status, count(*) AS n FROM screenings GROUP BY status")  # type: ignore[attr-defined]
    return {r["status"]: r["n"] for r in rows}


def test_after_the_result_a_declined_start_over_gives_no_second_result(servers: Servers) -> None:
    chat = to_result(servers, "again-1")
    db = Records(servers.db).db
    completed = funnel.totals(db)["completed"]
    assert chat.send("/deny") == [TRIAL.texts["callback_declined"]]
    assert chat.send("start over") == [TRIAL.texts["start_over_question"]]
    reply = chat.send("no")
    assert reply == [TRIAL.texts["go_back_finished"]]  # no recap, no second result or offer
    assert not any(says_outcome(chat.send("yes"), o) for o in ("may_fit", "needs_team", "likely_not"))
    assert funnel.totals(db)["completed"] == completed


def test_the_call_back_form_survives_an_alarm_a_continue_and_a_declined_start_over(servers: Servers) -> None:
    chat = to_result(servers, "callback-interrupted-1")
    chat.send("/affirm")
    assert TRIAL.texts["emergency"] in chat.send("I have crushing chest pain right now")
    assert TRIAL.texts["callback_name"] in chat.send("/resume")  # Continue: the name is asked again
    chat.send("Wang Fang")
    assert chat.send("start over") == [TRIAL.texts["start_over_question"]]
    assert TRIAL.texts["callback_phone"].split("?")[0] in chat.send("no")[-1]
    chat.send("139 1234 5678")
    reference = reference_in(chat.send("any time"))
    row = next(r for r in callbacks.call_list(Records(servers.db).db) if r["reference"] == reference)
    assert (row["name"], row["phone"], row["best_time"]) == ("Wang Fang", "+8613912345678", "any")
