"""Call-backs people asked for, kept apart from their answers and linked by the reference.

A call-back holds only what its own consent named: the name to use, a phone number (E.164),
the best time to call, the person's language and channel, the outcome and what the study team
must check. The coordinator's view (``make coordinator``) lists them and changes their status;
a trigger writes every change of status to ``callback_audit`` (who, when, from what, to what),
so the audit cannot be skipped by any client. Both go with the record (``Records.delete``) and
with the retention purge.

    >>> from bot.storage.records import Records
    >>> records = Records(":memory:")  # doctest: +SKIP
    >>> save(records.db, CallBack("S-23456789AB", "Li", "+8613812345678", "morning", "zh", "socketio",
    ...                          "may_fit", "Kidney biopsy"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database

# The statuses a coordinator sets, in the order a call goes.
STATUSES = ("to_call", "called", "scheduled", "not_interested", "could_not_reach")

_STATEMENTS = (
    f"""
CREATE TABLE IF NOT EXISTS callbacks (
    reference TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    best_time TEXT NOT NULL,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    checks TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'to_call' CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
    status_changed_at TEXT,
    status_changed_by TEXT
)""",
    """
CREATE TABLE IF NOT EXISTS callback_audit (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    old_status TEXT NOT NULL,
    new_status TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS callback_audit_reference ON callback_audit (reference)",
    """
-- Every change of status, however it is made, leaves its audit row; a change without a name
-- or a new time is refused.
CREATE TRIGGER IF NOT EXISTS callback_status_audit
AFTER UPDATE OF status ON callbacks
WHEN old.status IS NOT new.status
BEGIN
    SELECT RAISE(ABORT, 'a change of status needs who made it and when')
    WHERE coalesce(new.status_changed_by, '') = '' OR coalesce(new.status_changed_at, '') = ''
       OR new.status_changed_at IS old.status_changed_at;
    INSERT INTO callback_audit (reference, changed_at, changed_by, old_status, new_status)
    VALUES (new.reference, new.status_changed_at, new.status_changed_by, old.status, new.status);
END""",
    """
-- The call list: who to contact, newest first, with the outcome and what the team must check.
CREATE VIEW IF NOT EXISTS call_list AS
SELECT reference, created_at, status, name, phone, best_time, language, channel, outcome, checks,
       status_changed_at, status_changed_by
FROM callbacks
ORDER BY CASE status WHEN 'to_call' THEN 0 WHEN 'could_not_reach' THEN 1 ELSE 2 END, created_at DESC""",
)


@dataclass(frozen=True)
class CallBack:
    reference: str
    name: str
    phone: str  # E.164
    best_time: str  # a key of the trial's call_back.times
    language: str
    channel: str
    outcome: str
    checks: str  # what the study team must check, in the coordinators' language


def create(db: Database) -> None:
    """The tables, trigger and view, if missing (inside the caller's transaction)."""
    for statement in _STATEMENTS:
        db.execute(statement)


def save(db: Database, callback: CallBack, now: datetime | None = None) -> None:
    """Keep a call-back. Asked for again under the same reference, its details are replaced, and its
    status and audit stay as the coordinator left them: only a coordinator changes a status."""
    row: dict[str, Any] = {
        **asdict(callback),
        "created_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
    }
    details = [k for k in row if k not in ("reference", "created_at")]
    db.execute(
        f"INSERT INTO callbacks ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
        f"ON CONFLICT (reference) DO UPDATE SET {', '.join(f'{k} = excluded.{k}' for k in details)}",
        list(row.values()),
    )


def set_status(db: Database, reference: str, status: str, by: str, now: datetime | None = None) -> bool:
    """What the coordinator's form does; True if there was such a call-back."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    at = (now or datetime.now(timezone.utc)).isoformat(timespec="microseconds")
    cursor = db.execute(
        "UPDATE callbacks SET status = ?, status_changed_by = ?, status_changed_at = ? WHERE reference = ?",
        [status, by, at, reference],
    )
    return cursor.rowcount > 0


def delete(db: Database, reference: str) -> int:
    """The call-back and its audit (ON DELETE CASCADE, bot/storage/schema.py)."""
    return int(db.execute("DELETE FROM callbacks WHERE reference = ?", [reference]).rowcount)


def purge(db: Database, cutoff: str) -> int:
    """Call-backs asked for before ``cutoff`` (ISO 8601, UTC), and their audit rows."""
    return int(db.execute("DELETE FROM callbacks WHERE created_at < ?", [cutoff]).rowcount)


def call_list(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM call_list"))


def audit(db: Database, reference: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM callback_audit WHERE reference = ? ORDER BY id", [reference]))
