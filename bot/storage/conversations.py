"""The conversations Rasa keeps (its SQL tracker store), deleted when no longer needed.

They hold what people typed, so they are kept only while a screening can
still be resumed: a conversation idle for longer than a day is deleted (by the
tracker store itself, see ``rasa_plugins/conversation_store.py``, and by
``make purge``), and deleting a person's record deletes their conversation.

Rasa's table is ``events(id, sender_id, type_name, timestamp, intent_name,
action_name, data)``; a slot event has ``action_name`` = the slot's name.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.settings import Settings

DEFAULT_DB = Settings().conversations_db
KEEP_HOURS = 24.0


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _has_events_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone() is not None


def _delete_senders(path: Path | str, query: str, params: list[object]) -> int:
    """Delete every conversation whose sender id the query selects, in one transaction; how many."""
    if not Path(path).exists():
        return 0
    conn = _connect(path)
    try:
        senders = [row[0] for row in conn.execute(query, params)] if _has_events_table(conn) else []
        conn.executemany("DELETE FROM events WHERE sender_id = ?", [(s,) for s in senders])
        conn.execute("COMMIT")
        return len(senders)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def purge_idle(path: Path | str = DEFAULT_DB, hours: float = KEEP_HOURS, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than ``hours``; how many were deleted."""
    cutoff = (time.time() if now is None else now) - hours * 3600
    query = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?"
    return _delete_senders(path, query, [cutoff])


def delete_for_reference(reference: str, path: Path | str = DEFAULT_DB) -> int:
    """Delete the conversation(s) in which this screening reference was given; how many."""
    query = (
        "SELECT DISTINCT sender_id FROM events WHERE type_name = 'slot' AND action_name = 'reference'"
        " AND json_extract(data, '$.value') = ?"
    )
    return _delete_senders(path, query, [reference])
