"""Rasa's SQL tracker store, tuned for SQLite and cleaning up after itself.

- WAL and ``synchronous=NORMAL``: a turn's events are committed without
  waiting for a full disk sync of the whole file, and readers never block it.
- Conversations idle for longer than ``Settings.keep_hours`` ($SCREENER_KEEP_HOURS) are
  deleted, checked at most every ``purge_every_minutes`` while it saves: what
  people typed is not kept once a screening can no longer be resumed.
- The trackers of recent conversations are also kept in memory. Loading one
  from SQLite (every event decoded and replayed) cost more Rasa CPU per turn
  than anything else we measured; a kept tracker is used only while it has
  exactly the events last saved and the database holds exactly the rows last
  written for it, so an unsaved failed turn, a restart or a deletion by
  ``make purge`` / ``bot.storage.records delete`` always reads SQLite again.
- Where another Rasa server of the deployment has added turns since (several
  servers share the store, issue 21), only those rows are read and replayed on
  the kept tracker, rather than the whole conversation: rows are only ever
  appended, and a new session (or fewer rows) reads it all again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.settings import Settings
from bot.storage.conversations import purge_idle
from bot.storage.records import make_private

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


class ConversationStore(SQLTrackerStore):
    engine: sa.engine.Engine  # set by SQLTrackerStore (untyped), replaced below for SQLite

    def __init__(
        self,
        keep_hours: float | None = None,
        purge_every_minutes: float = 10,
        keep_in_memory: int = 500,
        **kwargs: Any,
    ) -> None:
        # The store holds what people typed: its files, and every file this server creates from
        # here on, are readable by their owner only.
        os.umask(0o077)
        kwargs.setdefault("dialect", "sqlite")
        if kwargs["dialect"] == "sqlite" and kwargs.get("db"):
            make_private(Path(kwargs["db"]))
        super().__init__(**kwargs)
        self.db_path = kwargs.get("db") if kwargs["dialect"] == "sqlite" else None
        if self.db_path:
            # SQLAlchemy 1.4 opens and closes a SQLite file for every session (NullPool), which with
            # the pragmas took about a tenth of Rasa's CPU per turn. Keep a few connections open.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url, poolclass=sa.pool.QueuePool, pool_size=4, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker.configure(bind=self.engine)
        # The deployment's settings say how long (bot/settings.py), as they do for `make purge`.
        self.keep_hours = float(Settings.from_env().keep_hours if keep_hours is None else keep_hours)
        self.purge_every = float(purge_every_minutes) * 60
        self._last_purge = 0.0
        self.keep_in_memory = int(keep_in_memory)
        # sender id -> (tracker, its number of events, the sender's rows in the database)
        self._kept: OrderedDict[str, tuple[DialogueStateTracker, int, int]] = OrderedDict()

    def _rows(self, sender_id: str) -> int:
        with self.engine.connect() as connection:
            query = sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :sender")
            return int(connection.execute(query, {"sender": sender_id}).scalar() or 0)

    def _insert(self, sender_id: str, events: list[Event]) -> None:
        """The rows SQLTrackerStore.save writes, in one statement."""
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        if rows:
            with self.engine.begin() as connection:
                connection.execute(self.SQLEvent.__table__.insert(), rows)

    def _rows_after(self, sender_id: str, offset: int) -> list[dict[str, Any]]:
        """The sender's events after its first ``offset`` rows, in the order they were written."""
        with self.engine.connect() as connection:
            query = sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id LIMIT :all OFFSET :offset")
            found = connection.execute(query, {"sender": sender_id, "all": 2**62, "offset": offset})
            return [json.loads(row[0]) for row in found]

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        kept = self._kept.get(sender_id)
        if kept and len(kept[0].events) == kept[1]:
            tracker, _, rows = kept
            now = self._rows(sender_id)
            if now == rows:
                self._kept.move_to_end(sender_id)
                return tracker
            if now > rows and tracker.events:  # another server took the latest turns: replay only those
                last, *after = self._rows_after(sender_id, rows - 1) or [{}]
                newer = deserialise_events(after)
                # The row before them must be the last event we saw (the conversation was not deleted
                # and begun again meanwhile), and no new session may have begun.
                seen = tracker.events[-1]
                same = last.get("event") == seen.type_name and last.get("timestamp") == seen.timestamp
                if same and newer and not any(isinstance(event, SessionStarted) for event in newer):
                    for event in newer:
                        tracker.update(event)
                    self._keep(tracker, rows + len(newer))
                    return tracker
        self._kept.pop(sender_id, None)
        return await super().retrieve(sender_id)

    def _keep(self, tracker: DialogueStateTracker, rows: int) -> None:
        if self.keep_in_memory:
            self._kept[tracker.sender_id] = (tracker, len(tracker.events), rows)
            self._kept.move_to_end(tracker.sender_id)
            while len(self._kept) > self.keep_in_memory:
                self._kept.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender = tracker.sender_id
        kept = self._kept.get(sender)
        if kept and kept[0] is tracker:
            # The tracker we handed out: its new events are the ones after those we saved.
            await self.stream_events(tracker)
            new_events = list(tracker.events)[kept[1] :]
            self._insert(sender, new_events)
            rows = kept[2] + len(new_events)
        else:
            await super().save(tracker)
            rows = self._rows(sender)
        self._keep(tracker, rows)
        now = time.monotonic()
        if now - self._last_purge > self.purge_every:  # SQLite or PostgreSQL alike
            self._last_purge = now
            deleted = purge_idle(self.engine, self.keep_hours)
            if deleted:
                logger.info(f"Deleted {deleted} conversation(s) idle for more than {self.keep_hours} hours.")
