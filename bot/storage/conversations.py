"""The conversations Rasa keeps (its SQL tracker store), deleted when no longer needed.

They hold what people typed, so they are kept only while a screening can
still be resumed: a conversation idle for longer than a day is deleted (by the
tracker store itself, see ``rasa_plugins/conversation_store.py``, and by
``make purge``), and deleting a person's record deletes their conversation.

Rasa's table is ``events(id, sender_id, type_name, timestamp, intent_name,
action_name, data)``; a slot event has ``action_name`` = the slot's name.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from bot.settings import Settings

DEFAULT_DB = Settings().conversations_db
KEEP_HOURS = Settings().keep_hours


def engine_for(where: Path | str | sa.engine.Engine) -> sa.engine.Engine | None:
    """The database of the conversations: an engine, a SQLAlchemy URL (PostgreSQL when several
    machines share it), or a SQLite file (none when the file does not exist)."""
    if isinstance(where, sa.engine.Engine):
        return where
    if "://" in str(where):
        return sa.create_engine(str(where))
    if not Path(where).exists():
        return None
    return sa.create_engine(f"sqlite:///{where}", connect_args={"timeout": 10})  # wait for a writer


def _delete_senders(where: Path | str | sa.engine.Engine, query: str, params: dict[str, object]) -> int:
    """Delete every conversation whose sender id the query selects; how many. The deletion is one
    statement, so a conversation that goes on meanwhile is judged on its events at that moment."""
    engine = engine_for(where)
    if engine is None:
        return 0
    with engine.begin() as connection:
        if not sa.inspect(connection).has_table("events"):
            return 0
        count = connection.execute(sa.text(f"SELECT COUNT(*) FROM ({query}) AS chosen"), params).scalar()
        connection.execute(sa.text(f"DELETE FROM events WHERE sender_id IN ({query})"), params)
    return int(count or 0)


def purge_idle(
    where: Path | str | sa.engine.Engine = DEFAULT_DB, hours: float = KEEP_HOURS, now: float | None = None
) -> int:
    """Delete every conversation whose last event is older than ``hours``; how many were deleted."""
    cutoff = (time.time() if now is None else now) - hours * 3600
    query = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
    return _delete_senders(where, query, {"cutoff": cutoff})


def delete_for_reference(reference: str, where: Path | str | sa.engine.Engine = DEFAULT_DB) -> int:
    """Delete the conversation(s) in which this screening reference was given; how many."""
    # The value as the event's JSON holds it, found with LIKE: the same SQL in SQLite and PostgreSQL.
    quoted = json.dumps(reference).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        "SELECT DISTINCT sender_id FROM events WHERE type_name = 'slot' AND action_name = 'reference'"
        " AND data LIKE :pattern ESCAPE '\\'"
    )
    return _delete_senders(where, query, {"pattern": f"%{quoted}%"})
