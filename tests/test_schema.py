"""bot.storage.schema: a database of any earlier version opens at the newest, keeping what it holds,
and deletes cascade from a record and from a call-back."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from bot.storage import callbacks, schema
from bot.storage.callbacks import CallBack
from bot.storage.opt_outs import OptOuts
from bot.storage.records import Records
from tests.test_records import make_record

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
NEWEST = len(schema.MIGRATIONS)


def child_rows(db: Database, reference: str) -> dict[str, int]:
    return {
        table: next(db.query(f"SELECT count(*) AS n FROM {table} WHERE reference = ?", [reference]))["n"]
        for table in ("answers", "verdicts", "owners", "callback_audit")
    }


def database_from_before_migrations(path: Path) -> str:
    """A database as the code before numbered migrations (and before languages) left it: a record with
    its owner, a call-back whose status was changed once, an opt-out, and an answer whose record was
    deleted. Returns the record's reference."""
    db = Database(sqlite3.connect(str(path), isolation_level=None))
    schema.MIGRATIONS[0](db)  # step 1 is the schema those databases had
    db.execute("ALTER TABLE screenings DROP COLUMN language")
    record = make_record()
    db.execute(
        "INSERT INTO screenings (reference, channel, trial, criteria_version, started_at, updated_at, status) "
        "VALUES (?, 'sms', 'NCT05631717', '1', '2026-12-01', '2026-12-01', 'in_progress')",
        [record.reference],
    )
    db.execute("INSERT INTO answers VALUES (?, 'age', '42')", [record.reference])
    db.execute("INSERT INTO answers VALUES ('S-GONE000000', 'age', '50')")
    db.execute("INSERT INTO owners VALUES (?, 'hash')", [record.reference])
    callbacks.save(db, CallBack(record.reference, "Li", "+8613812345678", "morning", "zh", "sms", "may_fit", ""))
    callbacks.set_status(db, record.reference, "called", by="coordinator")
    db.execute("INSERT INTO sms_opt_outs VALUES ('sms-abc', '2026-12-01')")
    assert schema.version(db) == 0
    db.close()
    return record.reference


def test_a_database_from_before_migrations_opens_at_the_newest_and_keeps_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    reference = database_from_before_migrations(path)
    records = Records(path)
    assert schema.version(records.db) == NEWEST
    assert "language" in records.db.table("screenings").columns_dict
    assert records.get(reference)["answers"] == {"age": 42}  # type: ignore[index]
    assert child_rows(records.db, reference) == {"answers": 1, "verdicts": 0, "owners": 1, "callback_audit": 1}
    assert "sms-abc" in OptOuts(path) and "sms_opt_outs" not in records.db.table_names()
    # An answer whose record was already deleted went with the rebuild.
    assert not list(records.db.query("SELECT * FROM answers WHERE reference = 'S-GONE000000'"))
    # The audit trigger still writes, into the rebuilt table.
    assert callbacks.set_status(records.db, reference, "scheduled", by="coordinator")
    assert [a["new_status"] for a in callbacks.audit(records.db, reference)] == ["called", "scheduled"]
    assert records.delete(reference)
    assert child_rows(records.db, reference) == {"answers": 0, "verdicts": 0, "owners": 0, "callback_audit": 0}
    records.close()


def test_deleting_a_record_by_hand_deletes_what_hangs_from_it(tmp_path: Path) -> None:
    """The cascade is the database's, so a coordinator's DELETE in SQL leaves no orphan either."""
    records = Records(tmp_path / "r.db")
    record = make_record()
    records.save(record, owner="me")
    records.save_callback(CallBack(record.reference, "Li", "+8613812345678", "morning", "zh", "sms", "may_fit", ""))
    callbacks.set_status(records.db, record.reference, "called", by="coordinator")
    records.db.execute("DELETE FROM screenings WHERE reference = ?", [record.reference])
    records.db.execute("DELETE FROM callbacks WHERE reference = ?", [record.reference])
    assert child_rows(records.db, record.reference) == {"answers": 0, "verdicts": 0, "owners": 0, "callback_audit": 0}


def test_a_step_that_fails_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.db"
    Records(path).close()

    def half_done(db: Database) -> None:
        db.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, half_done))
    with pytest.raises(sqlite3.OperationalError):
        Records(path)
    db = Database(path)
    assert schema.version(db) == NEWEST and "half" not in db.table_names()


def open_at_once(path: str, start: Any, out: Any) -> None:
    """Runs in a spawned process: opens the database as soon as every process is ready."""
    start.wait(timeout=30)
    try:
        records = Records(path)
        out.put(schema.version(records.db))
        records.close()
    except Exception as error:  # reported, so that the test says what went wrong
        out.put(repr(error))


def test_processes_opening_an_old_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    reference = database_from_before_migrations(path)
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(4), context.Queue()
    workers = [context.Process(target=open_at_once, args=(str(path), start, out)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert results == [NEWEST] * 4
    assert child_rows(Records(path).db, reference)["answers"] == 1
