"""Call-backs: reading a name, a number and a time; the form's steps; what is stored, audited and deleted."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.callback as callback_actions
import actions.state as state
from bot.session import callback, messages
from bot.storage import callbacks, funnel
from bot.storage.callbacks import CallBack
from bot.storage.records import Records
from bot.storage.service import Unavailable
from bot.trial.model import load_trial

TRIALS = {lang: load_trial(None, lang) for lang in ("en", "zh")}
TITLES = {lang: messages.time_titles(t) for lang, t in TRIALS.items()}
# Chinese mobile prefixes in use (the number plan's 13x-19x blocks that libphonenumber knows as mobile).
MOBILE_PREFIXES = ["138", "139", "137", "150", "151", "186", "187", "177", "199"]


# ------------------------------------------------------------------ phone numbers
@st.composite
def chinese_mobiles(draw: Any) -> tuple[str, str]:
    """A Chinese mobile number as people type it, and its E.164 form."""
    digits = draw(st.sampled_from(MOBILE_PREFIXES)) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=8, max_size=8))
    )
    groups = [digits[:3], digits[3:7], digits[7:]]
    sep = draw(st.sampled_from(["", " ", "-"]))
    typed = sep.join(groups)
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "86 "]))
    around = draw(st.sampled_from(["{}", "my number is {}", "{} thanks", "手机号{}", "打{}就行", "{}。"]))
    if draw(st.booleans()):  # full-width digits, as a Chinese keyboard may send them
        typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return around.format(prefix + typed), "+86" + digits


@settings(max_examples=300, deadline=None)
@given(chinese_mobiles())
def test_a_chinese_mobile_as_people_type_it_is_kept_in_e164(case: tuple[str, str]) -> None:
    typed, expected = case
    assert callback.read_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+852 9123 4567", "+85291234567"),  # another country's, with + and its code
        ("+44 20 7946 0321", "+442079460321"),
        ("025-8310 5000", "+862583105000"),  # a Nanjing landline with its area code
    ],
)
def test_other_callable_numbers_are_kept_in_e164(typed: str, expected: str) -> None:
    assert callback.read_phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "138 1234 567",  # a digit short
        "1381234567890",  # too many
        "138 1234 5678 or 139 1234 5678",  # two numbers: which one?
        "call me tomorrow",
        "",
        "400 123 4567",  # a service line no one answers for the person
        "one three eight",
    ],
)
def test_no_number_or_several_or_one_that_cannot_be_called_is_asked_again(typed: str) -> None:
    assert callback.read_phone(typed) is None


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=40))
def test_text_without_digits_is_never_a_number(text: str) -> None:
    assert callback.read_phone(text) is None


# ------------------------------------------------------------------ names and times
@pytest.mark.parametrize(
    ("typed", "language", "name"),
    [
        ("Wang Fang", "en", "Wang Fang"),
        ("my name is Li Na.", "en", "Li Na"),
        ("call me Mrs Chen", "en", "Mrs Chen"),
        ("Imogen", "en", "Imogen"),  # "im" is no prefix of a name
        ("我叫王芳", "zh", "王芳"),
        ("叫我王女士就行", "zh", "王女士就行"),
        ("王女士", "zh", "王女士"),
    ],
)
def test_the_name_to_use_is_read_without_what_comes_before_it(typed: str, language: str, name: str) -> None:
    assert callback.read_name(typed, language) == name


@pytest.mark.parametrize("typed", ["13812345678", "Li 138", "", "   ", "!!!", "x" * 41])
def test_no_name_is_asked_again(typed: str) -> None:
    assert callback.read_name(typed, "en") is None


@pytest.mark.parametrize(
    ("typed", "language", "time"),
    [
        ("Morning", "en", "morning"),
        ("afternoons are best", "en", "afternoon"),
        ("morning or afternoon", "en", "any"),
        ("any time", "en", "any"),
        ("上午", "zh", "morning"),
        ("下午吧", "zh", "afternoon"),
        ("都可以", "zh", "any"),
        ("上午下午都行", "zh", "any"),
    ],
)
def test_the_best_time_is_a_button_or_its_words(typed: str, language: str, time: str) -> None:
    assert callback.read_time(typed, language, TITLES[language]) == time


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_time_button_reads_as_its_time(language: str) -> None:
    assert [callback.read_time(t, language, TITLES[language]) for t in TITLES[language]] == list(callback.TIMES)


@pytest.mark.parametrize(
    "typed",
    [
        *["tomorrow", "8pm", "9 pm", "weekend", "evening", "whenever you like but not mornings"],
        *["not in the morning", "no mornings please", "晚上", "上午不方便", "上午不行，下午吧", "晚上8点"],
    ],
)
def test_a_time_we_cannot_place_is_asked_again(typed: str) -> None:
    language = "zh" if re.search(r"[\u4e00-\u9fff]", typed) else "en"
    assert callback.read_time(typed, language, TITLES[language]) is None


# ------------------------------------------------------------------ the steps
def test_name_number_and_time_in_turn() -> None:
    s = callback.start()
    s, said = callback.take(s, "Li Na", "en", TITLES["en"])
    assert (said, s["step"]) == ("ask", "phone")
    s, said = callback.take(s, "not a number", "en", TITLES["en"])
    assert (said, s["step"], s["misses"]) == ("ask", "phone", 1)
    s, said = callback.take(s, "139 1234 5678", "en", TITLES["en"])
    assert (said, s["step"], s["misses"]) == ("ask", "time", 0)
    s, said = callback.take(s, TITLES["en"][1], "en", TITLES["en"])
    assert said == "done"
    assert {k: s[k] for k in ("name", "phone", "time")} == {
        "name": "Li Na",
        "phone": "+8613912345678",
        "time": "afternoon",
    }


@pytest.mark.parametrize("step", ["name", "phone"])
@pytest.mark.parametrize(("no", "language"), [("no", "en"), ("no thanks", "en"), ("不要了", "zh"), ("不用了", "zh")])
def test_a_bare_no_before_the_number_keeps_nothing(step: str, no: str, language: str) -> None:
    s, said = callback.take({"step": step, "misses": 0, "name": "Li"}, no, language, TITLES[language])
    assert said == "declined" and s == {"step": "declined"}


@pytest.mark.parametrize(
    ("step", "typed", "language", "value"),
    [
        ("name", "没事，叫我小李", "zh", "小李"),
        ("name", "No title, just Li Na", "en", "No title, just Li Na"),
        ("phone", "No, it's 13812345678", "en", "+8613812345678"),
        ("phone", "13812345678，上午不方便", "zh", "+8613812345678"),
        ("phone", "不是手机，座机025-83661234", "zh", "+862583661234"),
    ],
)
def test_a_no_inside_an_answer_is_no_refusal(step: str, typed: str, language: str, value: str) -> None:
    s, said = callback.take({"step": step, "misses": 0}, typed, language, TITLES[language])
    assert said == "ask" and s[step] == value


@pytest.mark.parametrize("typed", ["/resume", "/affirm", "yes", "好的", "no"])
def test_a_button_or_a_bare_yes_or_no_is_no_name(typed: str) -> None:
    assert callback.read_name(typed, "zh" if typed == "好的" else "en") is None


def test_at_the_time_a_no_is_asked_again_then_any_time() -> None:
    given = {"step": "time", "misses": 0, "name": "Li", "phone": "+8613812345678"}
    s, said = callback.take(given, "no", "en", TITLES["en"])
    assert said == "ask" and s["misses"] == 1
    s, said = callback.take(s, "none", "en", TITLES["en"])
    assert said == "done" and s["time"] == "any" and s["phone"] == "+8613812345678"


def test_two_misses_at_one_step_give_up() -> None:
    s, said = callback.take(callback.start(), "138", "en", TITLES["en"])
    assert said == "ask"
    s, said = callback.take(s, "13812345678", "en", TITLES["en"])
    assert (said, s) == ("gave_up", {"step": "gave_up"})


# ------------------------------------------------------------------ storage
def _call(reference: str = "S-23456789AB", **kw: Any) -> CallBack:
    fields = {
        "reference": reference,
        "name": "Li Na",
        "phone": "+8613812345678",
        "best_time": "morning",
        "language": "zh",
        "channel": "socketio",
        "outcome": "may_fit",
        "checks": "病历证实患有系统性红斑狼疮（SLE）",
    }
    return CallBack(**{**fields, **kw})


def test_a_call_back_is_listed_newest_first_and_every_change_of_status_is_audited(tmp_path: Path) -> None:
    records = Records(tmp_path / "s.db")
    now = datetime(2026, 12, 6, 9, tzinfo=timezone.utc)
    records.save_callback(_call("S-2222222222"), now)
    records.save_callback(_call("S-3333333333", name="Wang"), now + timedelta(hours=1))
    assert [r["reference"] for r in callbacks.call_list(records.db)] == ["S-3333333333", "S-2222222222"]
    assert callbacks.set_status(records.db, "S-2222222222", "called", "coordinator")
    assert callbacks.set_status(records.db, "S-2222222222", "scheduled", "second")
    audit = callbacks.audit(records.db, "S-2222222222")
    assert [(a["changed_by"], a["old_status"], a["new_status"]) for a in audit] == [
        ("coordinator", "to_call", "called"),
        ("second", "called", "scheduled"),
    ]
    # Still to call comes first, whatever its age.
    assert [r["reference"] for r in callbacks.call_list(records.db)] == ["S-3333333333", "S-2222222222"]


def test_a_change_without_who_or_a_new_time_or_to_an_unknown_status_is_refused(tmp_path: Path) -> None:
    records = Records(tmp_path / "s.db")
    records.save_callback(_call())
    with pytest.raises(ValueError):
        callbacks.set_status(records.db, "S-23456789AB", "maybe", "coordinator")
    for sql in (
        "UPDATE callbacks SET status = 'called'",  # no one named
        "UPDATE callbacks SET status = 'bogus', status_changed_by = 'x', status_changed_at = 'now'",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            records.db.execute(sql)
    callbacks.set_status(records.db, "S-23456789AB", "called", "a")
    with pytest.raises(sqlite3.IntegrityError):  # the same time again: an update that reuses the last change's name
        records.db.execute("UPDATE callbacks SET status = 'scheduled'")
    assert [a["new_status"] for a in callbacks.audit(records.db, "S-23456789AB")] == ["called"]


def test_deleting_by_reference_and_the_purge_remove_call_backs_and_their_audit(tmp_path: Path) -> None:
    records = Records(tmp_path / "s.db")
    old = datetime.now(timezone.utc) - timedelta(days=400)
    records.save_callback(_call("S-2222222222"), old)
    records.save_callback(_call("S-3333333333"))
    callbacks.set_status(records.db, "S-2222222222", "called", "a")
    callbacks.set_status(records.db, "S-3333333333", "called", "a")
    assert records.delete("S-3333333333")  # a call-back alone, with no screening record, is deleted too
    assert callbacks.audit(records.db, "S-3333333333") == []
    records.purge(180)
    assert callbacks.call_list(records.db) == [] and callbacks.audit(records.db, "S-2222222222") == []
    assert stat.S_IMODE((tmp_path / "s.db").stat().st_mode) == 0o600


# ------------------------------------------------------------------ the actions
def tracker(text: str, intent: str, slots: dict[str, Any]) -> Tracker:
    ranked = {"name": intent, "confidence": 0.9}
    message = {"text": text, "intent": ranked, "intent_ranking": [ranked]}
    events = [{"event": "user", "text": text, "input_channel": "socketio", "parse_data": message}]
    return Tracker("callback-test", slots, message, events, False, None, {"name": "callback_form"}, "action_listen")


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Records:
    records = Records(tmp_path / "s.db")
    monkeypatch.setattr(callback_actions, "records", lambda: records)
    monkeypatch.setattr(state, "records", lambda: records)
    return records


def _run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_a_completed_call_back_is_stored_and_leaves_the_conversation(stored: Records) -> None:
    done = {"step": "done", "name": "王芳", "phone": "+8613812345678", "time": "morning"}
    slots = {
        "callback": done,
        "reference": "S-23456789AB",
        "language": "zh",
        "screening_state": {"answers": {"age": {"min_years": 34, "max_years": 34}}},
    }
    said, events = _run(callback_actions.ActionCallbackDone(), tracker("上午", "inform", slots))
    row = callbacks.call_list(stored.db)[0]
    assert {k: row[k] for k in ("reference", "name", "phone", "best_time", "language", "channel", "status")} == {
        "reference": "S-23456789AB",
        "name": "王芳",
        "phone": "+8613812345678",
        "best_time": "morning",
        "language": "zh",
        "channel": "socketio",
        "status": "to_call",
    }
    assert row["outcome"] == "needs_team" and row["checks"]  # most questions unanswered: the team checks
    assert "+8613812345678" in said[0]["text"] and "S-23456789AB" in said[0]["text"]
    assert {"event": "slot", "name": "callback", "value": {"step": "stored"}, "timestamp": None} in events
    assert funnel.totals(stored.db)["callback_asked"] == 1


def test_declining_stores_nothing_personal(stored: Records) -> None:
    slots = {"callback": callback.start(), "reference": None, "language": "en"}
    said, _ = _run(callback_actions.ActionCallbackDeclined(), tracker("/deny", "deny", slots))
    assert said[0]["text"] == TRIALS["en"].texts["callback_declined"]
    assert callbacks.call_list(stored.db) == []
    assert stored.db.execute("SELECT count(*) FROM screenings").fetchone()[0] == 0
    assert funnel.totals(stored.db) == {"callback_declined": 1}


def test_someone_who_kept_no_answers_gets_a_reference_for_the_call_back_only(stored: Records) -> None:
    done = {"step": "done", "name": "Li", "phone": "+8613812345678", "time": "any"}
    _, events = _run(
        callback_actions.ActionCallbackDone(), tracker("any", "inform", {"callback": done, "language": "en"})
    )
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    assert [r["reference"] for r in callbacks.call_list(stored.db)] == [reference]
    assert stored.get(reference) is None  # no answers were kept
    said, _ = _run(
        callback_actions.ActionCancelCallback(),
        tracker("cancel my call-back", "cancel_callback", {"reference": reference, "callback": {"step": "stored"}}),
    )
    assert said[0]["text"] == TRIALS["en"].texts["callback_cancelled"] and callbacks.call_list(stored.db) == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_cancel_the_records_cannot_take_is_said_and_changes_nothing(
    stored: Records, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    stored.save_callback(_call())

    def away(reference: str) -> bool:
        raise Unavailable("records service: ConnectionRefusedError")

    monkeypatch.setattr(stored, "cancel_callback", away)
    slots = {"reference": "S-23456789AB", "callback": {"step": "stored"}, "language": language}
    said, events = _run(
        callback_actions.ActionCancelCallback(), tracker("cancel my call-back", "cancel_callback", slots)
    )
    assert said[0]["text"] == TRIALS[language].texts["callback_cancel_failed"] and events == []
    assert [r["reference"] for r in callbacks.call_list(stored.db)] == ["S-23456789AB"]  # still to be called


def test_asked_for_again_a_call_back_keeps_the_status_the_coordinator_set(tmp_path: Path) -> None:
    records = Records(tmp_path / "s.db")
    records.save_callback(_call())
    callbacks.set_status(records.db, "S-23456789AB", "called", "coordinator")
    records.save_callback(_call(phone="+8613900001111"))
    row = callbacks.call_list(records.db)[0]
    assert (row["status"], row["phone"]) == ("called", "+8613900001111")
    assert len(callbacks.audit(records.db, "S-23456789AB")) == 1


def test_the_funnels_weeks_are_the_sites() -> None:
    sunday_night_utc = datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)  # Monday 07:30 in Nanjing
    assert funnel.week_of(sunday_night_utc, "Asia/Shanghai") == "2026-W50"
    assert funnel.week_of(sunday_night_utc) == "2026-W49"
    assert funnel.week_of(sunday_night_utc, TRIALS["en"].info["site"]["time_zone"]) == "2026-W50"
