"""Conversations in the tracker store: kept while a screen can be resumed, then deleted."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import PROJECT_ROOT
from bot.storage.conversations import delete_for_reference, purge_idle
from bot.storage.records import main
from rasa_plugins.conversation_store import ConversationStore
from tests.cluster import running_postgres

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
HOUR = 3600.0


def save(store: ConversationStore, sender: str, *at: float, reference: str | None = None) -> None:
    """One conversation, a message at each of the times ``at``."""
    events: list[Event] = [UserUttered("I'm 34", timestamp=moment) for moment in at]
    if reference:
        events.append(SlotSet("reference", reference, timestamp=at[-1]))
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, DOMAIN.slots)))


def db_of(store: ConversationStore) -> str:
    assert store.db_path, "a SQLite store"
    return str(store.db_path)


def senders(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT sender_id FROM events")}


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(domain=DOMAIN, db=str(tmp_path / "conversations.db"), purge_every_minutes=10_000)


def test_the_store_keeps_conversations_in_wal_mode(store: ConversationStore) -> None:
    save(store, "a", time.time())
    tracker = asyncio.run(store.retrieve("a"))
    assert tracker is not None and tracker.latest_message and tracker.latest_message.text == "I'm 34"
    with sqlite3.connect(db_of(store)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_purge_deletes_only_conversations_idle_for_longer_than_the_limit(store: ConversationStore) -> None:
    now = time.time()
    save(store, "idle", now - 25 * HOUR)
    save(store, "active", now - 30 * HOUR, now - 1 * HOUR)  # its last message is recent: kept whole
    assert purge_idle(db_of(store), hours=24, now=now) == 1
    assert senders(Path(db_of(store))) == {"active"}
    assert purge_idle(db_of(store), hours=24, now=now) == 0


def test_the_store_purges_by_itself_while_saving(tmp_path: Path) -> None:
    store = ConversationStore(domain=DOMAIN, db=str(tmp_path / "c.db"), keep_hours=1, purge_every_minutes=0)
    save(store, "old", time.time() - 2 * HOUR)
    save(store, "new", time.time())
    assert senders(tmp_path / "c.db") == {"new"}


def test_the_store_and_the_purge_keep_conversations_as_long_as_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One setting for both ($SCREENER_KEEP_HOURS): the store's own clean-up and `make purge` agree."""
    monkeypatch.setenv("SCREENER_KEEP_HOURS", "2")
    store = ConversationStore(domain=DOMAIN, db=str(tmp_path / "c.db"), purge_every_minutes=10_000)
    assert store.keep_hours == 2
    save(store, "three hours idle", time.time() - 3 * HOUR)
    save(store, "one hour idle", time.time() - 1 * HOUR)
    assert main(["--db", str(tmp_path / "s.db"), "--conversations-db", db_of(store), "purge", "--days", "180"]) == 0
    assert senders(Path(db_of(store))) == {"one hour idle"} and "more than 2 hours" in capsys.readouterr().out
    monkeypatch.delenv("SCREENER_KEEP_HOURS")
    assert ConversationStore(domain=DOMAIN, db=str(tmp_path / "d.db")).keep_hours == 24


def test_deleting_a_record_deletes_its_conversation(store: ConversationStore, tmp_path: Path) -> None:
    save(store, "someone", time.time(), reference="S-ABCDEFGHJK")
    save(store, "someone-else", time.time(), reference="S-KKKKKKKKKK")
    assert delete_for_reference("S-ABCDEFGHJK", db_of(store)) == 1
    assert senders(Path(db_of(store))) == {"someone-else"}
    code = main(["--db", str(tmp_path / "s.db"), "--conversations-db", db_of(store), "delete", "S-KKKKKKKKKK"])
    assert code == 0 and senders(Path(db_of(store))) == set()


def test_nothing_to_do_without_a_database(tmp_path: Path) -> None:
    assert purge_idle(tmp_path / "missing.db") == 0
    assert delete_for_reference("S-ABCDEFGHJK", tmp_path / "missing.db") == 0


def test_kept_trackers_are_written_and_read_back_exactly(store: ConversationStore, tmp_path: Path) -> None:
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello", timestamp=time.time())], DOMAIN.slots)
    asyncio.run(store.save(tracker))
    for text in ("I'm 34", "yes", "no"):
        kept = asyncio.run(store.retrieve("someone"))
        assert kept is tracker, "the tracker kept in memory is handed out again"
        kept.update(UserUttered(text, timestamp=time.time()))
        kept.update(SlotSet("answer", text, timestamp=time.time()))
        asyncio.run(store.save(kept))
    fresh = ConversationStore(domain=DOMAIN, db=db_of(store))  # another process: SQLite only
    read = asyncio.run(fresh.retrieve("someone"))
    assert read is not None and [e.as_dict() for e in read.events] == [e.as_dict() for e in tracker.events]


def test_an_unsaved_turn_is_not_handed_out(store: ConversationStore) -> None:
    save(store, "someone", time.time())
    kept = asyncio.run(store.retrieve("someone"))
    assert kept is not None
    kept.update(UserUttered("never saved: the turn failed", timestamp=time.time()))
    again = asyncio.run(store.retrieve("someone"))
    assert again is not kept and again is not None and len(again.events) == 1


def test_a_conversation_deleted_elsewhere_is_not_handed_out(store: ConversationStore) -> None:
    save(store, "someone", time.time(), reference="S-ABCDEFGHJK")
    assert asyncio.run(store.retrieve("someone")) is not None
    assert delete_for_reference("S-ABCDEFGHJK", db_of(store)) == 1  # e.g. `bot.storage.records delete` meanwhile
    assert asyncio.run(store.retrieve("someone")) is None


def state(tracker: DialogueStateTracker | None) -> tuple[list[dict[str, object]], dict[str, object]]:
    assert tracker is not None
    return [e.as_dict() for e in tracker.events], tracker.current_slot_values()


def test_turns_taken_by_another_server_are_replayed_on_the_kept_tracker(store: ConversationStore) -> None:
    """Two servers share the store (issue 21): each hands out what a fresh read of SQLite would."""
    other = ConversationStore(domain=DOMAIN, db=db_of(store), purge_every_minutes=10_000)
    save(store, "someone", time.time())
    mine = asyncio.run(store.retrieve("someone"))
    for n, server in enumerate([other, other, store, other, store, store]):
        tracker = asyncio.run(server.retrieve("someone"))
        assert tracker is not None
        tracker.update(UserUttered(f"answer {n}", timestamp=time.time()))
        tracker.update(SlotSet("answer", f"answer {n}", timestamp=time.time()))
        asyncio.run(server.save(tracker))
        fresh = ConversationStore(domain=DOMAIN, db=db_of(store))
        for reader in (store, other):
            assert state(asyncio.run(reader.retrieve("someone"))) == state(asyncio.run(fresh.retrieve("someone")))
    assert asyncio.run(store.retrieve("someone")) is mine, "brought up to date, not read again"


def test_a_new_session_taken_elsewhere_is_read_again_whole(store: ConversationStore) -> None:
    other = ConversationStore(domain=DOMAIN, db=db_of(store), purge_every_minutes=10_000)
    save(store, "someone", time.time())
    mine = asyncio.run(store.retrieve("someone"))
    tracker = asyncio.run(other.retrieve("someone"))
    assert tracker is not None
    tracker.update(SessionStarted(timestamp=time.time()))
    tracker.update(UserUttered("hello again", timestamp=time.time()))
    asyncio.run(other.save(tracker))
    again = asyncio.run(store.retrieve("someone"))
    assert again is not mine and again is not None and again.events[0].type_name == "session_started"


def test_a_conversation_deleted_and_begun_again_elsewhere_is_read_again_whole(store: ConversationStore) -> None:
    other = ConversationStore(domain=DOMAIN, db=db_of(store), purge_every_minutes=10_000)
    save(store, "someone", time.time(), reference="S-ABCDEFGHJK")
    mine = asyncio.run(store.retrieve("someone"))
    assert delete_for_reference("S-ABCDEFGHJK", db_of(store)) == 1
    save(other, "someone", *[time.time() + n for n in range(5)])  # more rows than before, none of them ours
    again = asyncio.run(store.retrieve("someone"))
    assert again is not mine and again is not None and len(again.events) == 5


@pytest.mark.cluster
def test_on_postgresql_the_store_purges_and_deletes_as_on_sqlite() -> None:
    """Several machines keep conversations in PostgreSQL (issue 21): nothing is kept longer there."""
    with running_postgres() as url:
        parts = urlparse(url)
        where: dict[str, Any] = {
            "host": parts.hostname,
            "port": parts.port,
            "db": parts.path[1:],
            "username": parts.username,
        }
        store = ConversationStore(domain=DOMAIN, dialect="postgresql", purge_every_minutes=10_000, **where)
        now = time.time()
        save(store, "idle", now - 30 * HOUR)
        save(store, "recent", now - 2 * HOUR)
        save(store, "given", now - 1 * HOUR, reference="S-ABCDEFGHJK")
        purging = ConversationStore(domain=DOMAIN, dialect="postgresql", purge_every_minutes=0, **where)
        save(purging, "new", now)  # the store purges by itself while saving
        assert asyncio.run(store.retrieve("idle")) is None
        assert purge_idle(store.engine, hours=1.5, now=now) == 1  # "recent"
        assert delete_for_reference("S-ABCDEFGHJ_", url) == 0  # a LIKE wildcard matches nothing
        assert delete_for_reference("S-ABCDEFGHJK", url) == 1
        assert asyncio.run(store.retrieve("new")) is not None and asyncio.run(store.retrieve("given")) is None
        store.engine.dispose()
        purging.engine.dispose()
