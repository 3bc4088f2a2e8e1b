"""The funnel: how many people start, agree, finish, stop, get each outcome and ask for a call-back.

Only counts, by week, channel and language: no reference, no words, nothing about a person,
so everyone is counted, those who keep nothing too. ``at`` counts where people are: a
screen's last answered question moves its one count from question to question, and leaves
when the screen completes, so what stays is the last question answered by those who left
(and by those answering right now).

    >>> from sqlite_utils import Database
    >>> db = Database(memory=True)
    >>> create(db)
    >>> count(db, "2026-W49", "socketio", "en", "started")
    >>> weekly(db)[0]["started"]
    1
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

# The events counted, in funnel order (outcomes are "outcome:<name>").
EVENTS = (
    "started",
    "agreed",
    "declined",
    "completed",
    "stopped",
    "callback_offered",
    "callback_asked",
    "callback_declined",
    "callback_cancelled",
)
OUTCOMES = ("may_fit", "needs_team", "likely_not")
AT = "at"  # the last question answered, per screen not completed


def create(db: Database) -> None:
    db.execute(
        """CREATE TABLE IF NOT EXISTS funnel (
            week TEXT NOT NULL,
            channel TEXT NOT NULL,
            language TEXT NOT NULL,
            event TEXT NOT NULL,
            question TEXT NOT NULL DEFAULT '',
            n INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (week, channel, language, event, question)
        )"""
    )


def week_of(moment: date | datetime, zone: str = "UTC") -> str:
    """ISO week, "2026-W49", in the site's time ``zone`` (the trial file's ``site.time_zone``): a week
    starts on Monday 00:00 where the site is. A moment with no time zone is taken as UTC."""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        moment = aware.astimezone(ZoneInfo(zone))
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def count(db: Database, week: str, channel: str, language: str, event: str, question: str = "", n: int = 1) -> None:
    if event != AT and event not in EVENTS and not event.startswith("outcome:"):
        raise ValueError(f"unknown event {event!r}")
    db.execute(
        "INSERT INTO funnel (week, channel, language, event, question, n) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (week, channel, language, event, question) DO UPDATE SET n = n + excluded.n",
        [week, channel, language, event, question, n],
    )


def moved(db: Database, week: str, channel: str, before: str | None, after: str | None) -> None:
    """A screen's last answered question went from ``before`` to ``after`` (None: none, or done)."""
    if before == after:
        return
    if before:
        count(db, week, channel, "", AT, before, -1)
    if after:
        count(db, week, channel, "", AT, after, 1)


def weekly(db: Database) -> list[dict[str, Any]]:
    """One row per week, channel and language, a column per event and outcome."""
    columns = [*EVENTS, *(f"outcome:{o}" for o in OUTCOMES)]
    sums = ", ".join(f"sum(CASE WHEN event = '{c}' THEN n ELSE 0 END) AS [{c}]" for c in columns)
    return list(
        db.query(
            f"SELECT week, channel, language, {sums} FROM funnel WHERE event != '{AT}' "
            "GROUP BY week, channel, language ORDER BY week, channel, language"
        )
    )


def left_at(db: Database) -> dict[str, int]:
    """Question id -> how many screens stand with it as their last answer."""
    rows = db.query(f"SELECT question, sum(n) AS n FROM funnel WHERE event = '{AT}' GROUP BY question")
    return {r["question"]: int(r["n"]) for r in rows if r["n"]}


def totals(db: Database) -> dict[str, int]:
    rows = db.query(f"SELECT event, sum(n) AS n FROM funnel WHERE event != '{AT}' GROUP BY event")
    return {r["event"]: int(r["n"]) for r in rows}
