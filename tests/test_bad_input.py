"""Bad input at every stage of the screen gets a reply, keeps the place and corrupts nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.storage.records import Records
from bot.trial.model import load_trial
from tests.servers import Servers
from tests.test_end_to_end import FIT, Chat, reference_in, says_outcome, start

pytestmark = pytest.mark.servers
TRIAL = load_trial()

BAD = [
    "",
    "   \n\t ",
    "x" * 10_000,
    "\x00\x07\x1b[31m",
    "😀😀😀",
    "Привет, как дела",
    "مرحبا",
    "<script>alert('hi')</script><b>bold</b>",
    "'; DROP TABLE screenings; --",
    '/inform{"answer": "99"}',
]


@pytest.mark.parametrize("bad", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_mid_screen_keeps_the_place(servers: Servers, bad: str) -> None:
    chat = start(servers, f"bad-mid-{BAD.index(bad)}")
    chat.send("40")
    reply = chat.send(bad)
    assert reply, "every message gets a reply"
    if not bad.strip():
        assert reply == [TRIAL.texts["blank_message"]]
    assert not any("<script>" in t for t in reply)
    # The screen is where it was: a good answer is taken and the next question follows.
    chat.send("yes")
    asked = chat.last[-1]
    assert TRIAL.questions["kidney_involvement"].text in asked or TRIAL.texts["gave_up"] in chat.last


def assert_age_kept_after_stop(chat: Chat, age: int) -> None:
    """Stopping closes the record with the age first given, in a sound database."""
    records = Records(chat.servers.db)
    saved = records.get(reference_in(chat.send("stop")))
    assert saved is not None and saved["status"] == "stopped"
    assert saved["answers"]["age"]["min_years"] == age
    assert records.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_same_message_many_times_quickly_keeps_one_consistent_record(servers: Servers) -> None:
    chat = start(servers, "repeat-1")
    for _ in range(15):
        chat.send("40")
    assert_age_kept_after_stop(chat, 40)


def test_the_same_answer_sent_many_times_at_once_gets_replies_and_a_consistent_record(servers: Servers) -> None:
    chat = start(servers, "repeat-at-once")
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda _: servers.texts(chat.sender, "40"), range(10)))
    assert all(replies), "every copy gets a reply"
    assert_age_kept_after_stop(chat, 40)


def test_bad_input_at_the_recap_keeps_the_recap(servers: Servers) -> None:
    chat = start(servers, "bad-recap-1")
    chat.answer_until_done(FIT)
    assert TRIAL.texts["recap_question"] in chat.last
    assert chat.send("😀😀😀")
    assert says_outcome(chat.send("yes"), "may_fit")


def test_bad_input_before_the_screen_starts(servers: Servers) -> None:
    chat = Chat(servers, "bad-open-1")
    for bad in BAD:
        assert chat.send(bad), bad
    assert TRIAL.texts["consent_question"] in chat.send("hello")
