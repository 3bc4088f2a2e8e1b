"""Faults mid-screen: the action server stops, the Rasa server restarts, the records database is busy.

These tests stop servers, so they share servers of their own (started again
for the next test if one was left stopped), with the same real Rasa, action
server, tracker store and records database as everywhere else.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.records import Records
from bot.trial.model import load_trial
from tests.servers import Servers, running_servers
from tests.test_end_to_end import FIT, RECAP_OK, Chat, closes_properly, reference_in, start

pytestmark = pytest.mark.servers
TRIAL = load_trial()
PROBLEM = TRIAL.texts["technical_problem"]


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("faults"), env={"SCREENER_DB_BUSY_TIMEOUT": "1"}) as servers:
        yield servers


@pytest.fixture
def own_servers(module_servers: Servers) -> Servers:
    if module_servers.actions is None:
        module_servers.start_actions()
    if module_servers.rasa is None:
        module_servers.start_rasa()
    return module_servers


def asks(chat: Chat, question_id: str) -> bool:
    return any(TRIAL.questions[question_id].text in t for t in chat.last)


def finish(chat: Chat) -> str:
    """Answer the rest of the screen, confirm the recap; the person's reference."""
    chat.answer_until_done(FIT)
    closing = chat.send(RECAP_OK)
    assert closes_properly(closing), closing
    return reference_in(closing)


def test_action_server_stops_mid_screen_then_the_screen_goes_on(own_servers: Servers) -> None:
    chat = start(own_servers, "fault-actions")
    chat.send(FIT["age"])
    assert asks(chat, "lupus_diagnosis")

    own_servers.stop_actions()
    assert chat.send("yes") == [PROBLEM], "the person is told something went wrong"
    own_servers.start_actions()

    chat.send("yes")
    assert asks(chat, "kidney_involvement"), "the answer sent again is taken, nothing was lost"
    saved = Records(own_servers.db).get(finish(chat))
    assert saved is not None and saved["status"] == "completed" and saved["outcome"] == "may_fit"
    assert saved["answers"]["age"]["min_years"] == 34


def test_rasa_restarts_mid_screen_and_the_conversation_resumes(own_servers: Servers) -> None:
    chat = start(own_servers, "fault-rasa")
    chat.send(FIT["age"], FIT["lupus_diagnosis"])
    assert asks(chat, "kidney_involvement")

    own_servers.stop_rasa()
    own_servers.start_rasa()

    chat.send(FIT["kidney_involvement"])
    assert asks(chat, "protein_result"), "the screen resumes from the tracker store, not from the start"
    saved = Records(own_servers.db).get(finish(chat))
    assert saved is not None and saved["outcome"] == "may_fit"
    assert {"age", "lupus_diagnosis", "kidney_involvement"} <= set(saved["answers"])


def hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Another writer holding the records database's write lock for a while."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(str(db), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    return thread


def test_busy_records_database_waits_or_asks_to_send_again(own_servers: Servers) -> None:
    chat = start(own_servers, "fault-db")
    chat.send(FIT["age"])

    # Busy for less than the busy timeout (1 s here): the answer just waits.
    holder = hold_write_lock(own_servers.db, 0.5)
    chat.send(FIT["lupus_diagnosis"])
    holder.join()
    assert asks(chat, "kidney_involvement")

    # Busy for longer: the person is asked to send it again; nothing is half-written.
    holder = hold_write_lock(own_servers.db, 3)
    assert chat.send(FIT["kidney_involvement"]) == [PROBLEM]
    holder.join()
    chat.send(FIT["kidney_involvement"])
    assert asks(chat, "protein_result")

    saved = Records(own_servers.db).get(finish(chat))
    assert saved is not None and saved["outcome"] == "may_fit"
    assert Records(own_servers.db).db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
