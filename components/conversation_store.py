"""Rasa's SQL tracker store, tuned for SQLite and cleaning up after itself.

- WAL and ``synchronous=NORMAL``: a turn's events are committed without
  waiting for a full disk sync of the whole file, and readers never block it.
- Conversations idle for longer than ``keep_hours`` (endpoints.yml) are
  deleted, checked at most every ``purge_every_minutes`` while it saves: what
  people typed is not kept once a screening can no longer be resumed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversations import KEEP_HOURS, purge_idle

logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


class ConversationStore(SQLTrackerStore):
    def __init__(self, keep_hours: float = KEEP_HOURS, purge_every_minutes: float = 10, **kwargs: Any) -> None:
        kwargs.setdefault("dialect", "sqlite")
        super().__init__(**kwargs)
        self.db_path = kwargs.get("db") if kwargs["dialect"] == "sqlite" else None
        if self.db_path:
            # Every later connection gets them (SQLAlchemy 1.4 opens one per session for a SQLite file).
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            with self.engine.connect() as connection:
                _sqlite_pragmas(connection.connection, None)
        self.keep_hours, self.purge_every = float(keep_hours), float(purge_every_minutes) * 60
        self._last_purge = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        now = time.monotonic()
        if self.db_path and now - self._last_purge > self.purge_every:
            self._last_purge = now
            deleted = purge_idle(self.db_path, self.keep_hours)
            if deleted:
                logger.info(f"Deleted {deleted} conversation(s) idle for more than {self.keep_hours} hours.")
