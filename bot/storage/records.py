"""Screening records in SQLite, for people who agreed to have their answers stored.

A record holds a random reference (never a phone number or chat id), the
channel, timestamps, the version of the criteria file, each answer's
normalised value, each criterion's verdict and the outcome. No free text.

Writes take SQLite's write lock up front (``BEGIN IMMEDIATE``) and wait for
it (busy timeout), and the database runs in WAL mode, so several action
server processes can save at once without losing a record; each save either
completes or leaves the previous state intact.

Command line, for a study coordinator::

    python -m bot.storage.records export --format csv --out screenings.csv
    python -m bot.storage.records export --format json
    python -m bot.storage.records show REF
    python -m bot.storage.records delete REF       # and the conversation it came from
    python -m bot.storage.records purge            # older than the trial's retention period,
                                                   # and conversations idle for a day
    python -m bot.storage.records purge --days 30
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.settings import Settings
from bot.storage import callbacks, conversations, funnel, schema

DEFAULT_DB = Settings().records_db
# No 0/O or 1/I/L: a person may read their reference out over the phone.
_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "S-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass
class ScreeningRecord:
    reference: str
    channel: str
    trial: str
    criteria_version: str
    criteria_digest: str
    started_at: datetime
    status: str = "in_progress"  # in_progress | completed | stopped
    outcome: str | None = None
    ended_early: bool = False
    language: str = "en"  # the conversation's, when the record was last saved
    answers: dict[str, Any] = field(default_factory=dict)  # question id -> normalised value
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # criterion -> {kind, verdict, reasons}


def make_private(path: Path) -> None:
    """A database file (and its write-ahead log and shared memory) readable by its owner only.

    SQLite gives the -wal and -shm files the database file's permissions, so creating that one
    private is enough for new files; older ones are narrowed too.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


_SCREENING_COLUMNS = (
    "reference",
    "channel",
    "trial",
    "criteria_version",
    "criteria_digest",
    "started_at",
    "updated_at",
    "completed_at",
    "status",
    "outcome",
    "ended_early",
    "language",
)
_UPSERT_SCREENING = (
    f"INSERT INTO screenings ({', '.join(_SCREENING_COLUMNS)}) VALUES ({', '.join('?' * len(_SCREENING_COLUMNS))}) "
    f"ON CONFLICT (reference) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _SCREENING_COLUMNS[1:])}"
)


class NotYours(PermissionError):
    """A save for a reference that another conversation created."""


class Records:
    def __init__(self, path: Path | str = DEFAULT_DB, busy_timeout_s: float = Settings().busy_timeout_s) -> None:
        self.busy_timeout_s = busy_timeout_s  # how long a write waits for another writer
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        make_private(self.path)
        conn = sqlite3.connect(
            str(self.path), timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        self.db = Database(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        self._enable_wal()
        conn.execute("PRAGMA foreign_keys = ON")  # deletes cascade (bot/storage/schema.py)
        schema.migrate(self.db)

    def _enable_wal(self) -> None:
        # Switching a new database to WAL needs an exclusive lock, and SQLite does not
        # wait for one (no busy handler here), so wait for another writer ourselves.
        deadline = time.monotonic() + self.busy_timeout_s
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction: all of it happens, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def save(
        self,
        record: ScreeningRecord,
        now: datetime | None = None,
        owner: str | None = None,
        moved: tuple[str, str | None, str | None] | None = None,
    ) -> None:
        """Insert or replace the whole record; with ``owner``, only the owner's own record. ``moved``:
        the week the screen started, and its last answered question before and after, counted by the
        funnel in the same write.

        Raises NotYours, and changes nothing, when the reference belongs to another owner.
        """
        now = now or utc_now()
        row = {
            "reference": record.reference,
            "channel": record.channel,
            "trial": record.trial,
            "criteria_version": record.criteria_version,
            "criteria_digest": record.criteria_digest,
            "started_at": _iso(record.started_at),
            "updated_at": _iso(now),
            "completed_at": _iso(now) if record.status != "in_progress" else None,
            "status": record.status,
            "outcome": record.outcome,
            "ended_early": int(record.ended_early),
            "language": record.language,
        }
        answers = [(record.reference, q, json.dumps(v, sort_keys=True)) for q, v in record.answers.items()]
        verdicts = [
            (record.reference, c, v["kind"], v["verdict"], json.dumps(list(v.get("reasons", []))))
            for c, v in record.verdicts.items()
        ]
        with self._write():
            if owner is not None:
                found = list(self.db.query("SELECT owner FROM owners WHERE reference = ?", [record.reference]))
                exists = bool(list(self.db.query("SELECT 1 FROM screenings WHERE reference = ?", [record.reference])))
                # A record with no owner (written before owners were kept) cannot be claimed either.
                if (found and found[0]["owner"] != owner) or (exists and not found):
                    raise NotYours(record.reference)
            # Plain SQL: sqlite-utils' upsert and insert_all read the tables' schema on every call, which
            # was a third of the action server's CPU per answer (the record is saved at every answer).
            self.db.execute(_UPSERT_SCREENING, [row[c] for c in _SCREENING_COLUMNS])
            if owner is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO owners (reference, owner) VALUES (?, ?)", [record.reference, owner]
                )
            for table in ("answers", "verdicts"):
                self.db.execute(f"DELETE FROM {table} WHERE reference = ?", [record.reference])
            self.db.conn.executemany("INSERT INTO answers (reference, question, value) VALUES (?, ?, ?)", answers)
            self.db.conn.executemany(
                "INSERT INTO verdicts (reference, criterion, kind, verdict, reasons) VALUES (?, ?, ?, ?, ?)", verdicts
            )
            if moved is not None:
                week, before, after = moved
                funnel.moved(self.db, week, record.channel, before, after)

    def get(self, reference: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM screenings WHERE reference = ?", [reference]))
        return self._full(rows[0]) if rows else None

    def _full(self, row: dict[str, Any]) -> dict[str, Any]:
        ref = row["reference"]
        row = dict(row)
        row["ended_early"] = bool(row["ended_early"])
        row["answers"] = {
            a["question"]: json.loads(a["value"])
            for a in self.db.query("SELECT question, value FROM answers WHERE reference = ? ORDER BY rowid", [ref])
        }
        row["verdicts"] = {
            v["criterion"]: {"kind": v["kind"], "verdict": v["verdict"], "reasons": json.loads(v["reasons"])}
            for v in self.db.query(
                "SELECT criterion, kind, verdict, reasons FROM verdicts WHERE reference = ? ORDER BY rowid", [ref]
            )
        }
        return row

    def all(self) -> list[dict[str, Any]]:
        return [self._full(r) for r in self.db.query("SELECT * FROM screenings ORDER BY started_at, reference")]

    def count(self) -> int:
        return int(next(self.db.query("SELECT count(*) AS n FROM screenings"))["n"])

    def delete(self, reference: str) -> bool:
        """Delete one person's record and call-back; True if there was either."""
        with self._write():  # answers, verdicts, owner and audit go with them (ON DELETE CASCADE)
            cursor = self.db.execute("DELETE FROM screenings WHERE reference = ?", [reference])
            calls = callbacks.delete(self.db, reference)
        return cursor.rowcount > 0 or calls > 0

    def purge(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete every record not updated for ``older_than_days``; returns how many."""
        if older_than_days < 0:
            raise ValueError("the retention period cannot be negative")
        cutoff = _iso((now or utc_now()) - timedelta(days=older_than_days))
        with self._write():
            cursor = self.db.execute("DELETE FROM screenings WHERE updated_at < ?", [cutoff])
            callbacks.purge(self.db, cutoff)
        return cursor.rowcount

    # ------------------------------------------------------------ call-backs and the funnel
    def save_callback(self, callback: callbacks.CallBack, now: datetime | None = None) -> None:
        with self._write():
            callbacks.save(self.db, callback, now)

    def cancel_callback(self, reference: str) -> bool:
        with self._write():
            return callbacks.delete(self.db, reference) > 0

    def tally(self, week: str, event: str, channel: str, language: str, question: str = "") -> None:
        """Count one event of the funnel, in ``week`` (funnel.week_of)."""
        with self._write():
            funnel.count(self.db, week, channel, language, event, question)

    def moved(self, week: str, channel: str, before: str | None, after: str | None) -> None:
        """A screen's last answered question changed (None: none yet, or the screen completed); ``week``:
        the one it started in."""
        if before != after:
            with self._write():
                funnel.moved(self.db, week, channel, before, after)

    # ------------------------------------------------------------------ export
    def export_json(self) -> str:
        return json.dumps(self.all(), indent=2, ensure_ascii=False, sort_keys=True)

    def export_csv(self) -> str:
        """One row per screening; a column per criterion verdict and per answer."""
        records = self.all()
        criteria = list(dict.fromkeys(c for r in records for c in r["verdicts"]))
        questions = list(dict.fromkeys(q for r in records for q in r["answers"]))
        base = [c for c in _SCREENING_COLUMNS if c != "criteria_digest"]  # the digest is for checks, not people
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(base + [f"verdict:{c}" for c in criteria] + [f"answer:{q}" for q in questions])
        for r in records:
            writer.writerow(
                [r[k] for k in base]
                + [r["verdicts"].get(c, {}).get("verdict", "") for c in criteria]
                + [json.dumps(r["answers"][q], sort_keys=True) if q in r["answers"] else "" for q in questions]
            )
        return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.storage.records", description="Screening records for coordinators."
    )
    settings = Settings.from_env()
    parser.add_argument("--db", type=Path, default=settings.records_db)
    parser.add_argument("--conversations-db", default=settings.conversations_url or settings.conversations_db)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="all records as CSV or JSON")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    commands.add_parser("show", help="one record as JSON").add_argument("reference")
    commands.add_parser("delete", help="delete one person's record").add_argument("reference")
    purge = commands.add_parser("purge", help="delete records older than the retention period")
    purge.add_argument("--days", type=int, help="retention in days (default: the trial file's)")
    args = parser.parse_args(argv)
    os.umask(0o077)  # exports and a new database hold health data: owner only

    records = Records(args.db)
    try:
        if args.command == "export":
            text = records.export_csv() if args.format == "csv" else records.export_json()
            if args.out:
                # Write beside the target and rename, so a failed export never leaves half a file.
                tmp = args.out.with_name(args.out.name + ".tmp")
                tmp.write_bytes(text.encode("utf-8"))
                tmp.replace(args.out)
                print(f"wrote {records.count()} records to {args.out}")
            else:
                sys.stdout.write(text)
        elif args.command == "show":
            record = records.get(args.reference)
            if record is None:
                print(f"no record {args.reference}", file=sys.stderr)
                return 1
            print(json.dumps(record, indent=2, ensure_ascii=False))
        elif args.command == "delete":
            chats = conversations.delete_for_reference(args.reference, args.conversations_db)
            if not records.delete(args.reference) and not chats:
                print(f"no record {args.reference}", file=sys.stderr)
                return 1
            print(f"deleted {args.reference} and {chats} conversation(s)")
        elif args.command == "purge":
            days = args.days
            if days is None:
                from bot.trial.model import cached_trial

                days = cached_trial(settings.trial).retention_days
            print(f"purged {records.purge(days)} records older than {days} days")
            chats = conversations.purge_idle(args.conversations_db, settings.keep_hours)
            print(f"purged {chats} conversations idle for more than {settings.keep_hours:g} hours")
    finally:
        records.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
