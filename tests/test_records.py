"""bot.storage.records: the SQLite store of screening records, its exports and its command line."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.storage.records import Records, ScreeningRecord, main, new_reference, utc_now

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
TODAY = date(2026, 11, 25)
BASE_COLUMNS = [
    "reference",
    "channel",
    "trial",
    "criteria_version",
    "started_at",
    "updated_at",
    "completed_at",
    "status",
    "outcome",
    "ended_early",
    "language",
]
AGE_42 = {"min_years": 42, "max_years": 42, "days_to_birthday": None}
MEDICINES = {
    "none": False,
    "items": [{"id": "mycophenolate_mofetil", "kind": "immunosuppressant", "verified": True}],
    "unknown": 1,
}
TABLES = ("screenings", "answers", "verdicts")


def make_record(reference: str | None = None, **changes: Any) -> ScreeningRecord:
    fields: dict[str, Any] = {
        "reference": reference or new_reference(),
        "channel": "telegram",
        "trial": "NCT05631717",
        "criteria_version": "2026-11-25.1",
        "criteria_digest": "ab" * 32,
        "started_at": T0,
        "answers": {"age": AGE_42, "lupus_diagnosis": "yes", "medicines": MEDICINES},
        "verdicts": {
            "inc_age": {"kind": "inclusion", "verdict": "meets", "reasons": ["in_range"]},
            "exc_immunosuppressant_dose": {
                "kind": "exclusion",
                "verdict": "needs_team",
                "reasons": ["dose_unknown"],
            },
            "exc_malignancy": {"kind": "exclusion", "verdict": "pending", "reasons": []},
        },
    }
    fields.update(changes)
    return ScreeningRecord(**fields)


def rows_of(records: Records, reference: str) -> dict[str, int]:
    """How many rows each table holds for one reference."""
    return {
        table: next(records.db.query(f"SELECT count(*) AS n FROM {table} WHERE reference = ?", [reference]))["n"]
        for table in TABLES
    }


def references(records: Records) -> set[str]:
    return {r["reference"] for r in records.db.query("SELECT reference FROM screenings")}


def concurrent_writer(path: str, worker: int, start: Any, out: Any) -> None:
    """Runs in a spawned process: 25 new records, then each one saved again as completed."""
    records = Records(path)
    start.wait(timeout=30)
    saved = []
    for n in range(25):
        record = make_record(answers={"owner": {"worker": worker, "n": n}, "tag": f"w{worker}-n{n}"})
        records.save(record)
        saved.append((record, n))
    for record, _ in saved:
        record.status, record.outcome = "completed", "may_fit"
        records.save(record)
    records.close()
    out.put({record.reference: (worker, n) for record, n in saved})


@contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[None]:
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE) for ``seconds`` while the block runs."""
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=5), "the other connection never got the lock"
        yield
    finally:
        holder.join(timeout=5)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "screenings.db"


@pytest.fixture
def records(db: Path) -> Iterator[Records]:
    store = Records(db)
    yield store
    store.close()


# --- save / get ---------------------------------------------------------------


def test_save_then_get_round_trips_every_field(records: Records) -> None:
    started = datetime(2026, 11, 25, 11, 30, 15, 654321, tzinfo=timezone(timedelta(hours=2)))
    record = make_record(started_at=started, status="completed", outcome="needs_team", ended_early=True, language="zh")
    records.save(record, now=T0 + timedelta(minutes=5))
    expected = {
        "reference": record.reference,
        "channel": "telegram",
        "trial": "NCT05631717",
        "criteria_version": "2026-11-25.1",
        "criteria_digest": "ab" * 32,
        "started_at": "2026-11-25T09:30:15+00:00",
        "updated_at": "2026-11-25T09:35:00+00:00",
        "completed_at": "2026-11-25T09:35:00+00:00",
        "status": "completed",
        "outcome": "needs_team",
        "ended_early": True,
        "language": "zh",
        "answers": {"age": AGE_42, "lupus_diagnosis": "yes", "medicines": MEDICINES},
        "verdicts": record.verdicts,
    }
    assert records.get(record.reference) == expected

    # Saved again: answers and verdicts are replaced, not merged.
    again = make_record(
        record.reference,
        answers={"age": {"min_years": 43, "max_years": 43, "days_to_birthday": 12}, "lupus_diagnosis": "no"},
        verdicts={"inc_age": {"kind": "inclusion", "verdict": "meets", "reasons": ["in_range", "near_maximum"]}},
    )
    records.save(again, now=T0 + timedelta(hours=1))
    assert records.get(record.reference) == {
        **expected,
        "started_at": "2026-11-25T09:30:00+00:00",
        "updated_at": "2026-11-25T10:30:00+00:00",
        "completed_at": None,
        "status": "in_progress",
        "outcome": None,
        "ended_early": False,
        "language": "en",  # the language the conversation had when it was saved again
        "answers": again.answers,
        "verdicts": again.verdicts,
    }
    assert rows_of(records, record.reference) == {"screenings": 1, "answers": 2, "verdicts": 1}
    assert records.count() == 1
    assert records.get("S-NOSUCHREF2") is None


def test_references_are_readable_and_unique() -> None:
    alphabet = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    refs = [new_reference() for _ in range(1000)]
    assert all(re.fullmatch(r"S-[2-9A-Z]{10}", ref) for ref in refs), refs[:5]
    used = set("".join(ref[2:] for ref in refs))
    assert not used & set("0O1IL")
    assert used == alphabet  # 10,000 characters drawn: every one of the 31 shows up
    assert len(set(refs)) == len(refs)


def test_no_free_text_is_stored(records: Records, db: Path) -> None:
    # Imported here, not at the top: it loads the language pipeline, which the spawned workers don't need.
    from bot.session.screening import Screening, to_record
    from bot.trial.model import load_trial

    typed = {
        "age": "I am 42 years old",
        "lupus_diagnosis": "yes I do",
        "kidney_involvement": "yes, my kidneys",
        "protein_result": "my UPCR was 1.8 g/g last month",
        "could_have_children": "no",
        "cancer_history": "no never",
        "medicines": "I take cellcept and some herbal tea",
    }
    screening = Screening(load_trial())
    for question, text in typed.items():
        assert screening.answer(text, TODAY, question).understood, text
    record = to_record(screening, new_reference(), "telegram", T0, "stopped")
    records.save(record)
    assert (records.get(record.reference) or {}).get("answers") == screening.answers

    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name)).lower()
    exported = (records.export_json() + records.export_csv()).lower()
    assert b"mycophenolate_mofetil" in stored and "mycophenolate_mofetil" in exported  # the search can find things
    phrases = [text for text in typed.values() if " " in text] + ["cellcept", "herbal", "years old", "last month"]
    leaks = [p for p in map(str.lower, phrases) if p.encode() in stored or p in exported]
    assert leaks == []


# --- exports ------------------------------------------------------------------


def test_export_csv_and_json(records: Records) -> None:
    first = make_record(
        answers={"age": AGE_42, "medicines": MEDICINES},
        verdicts={"inc_age": {"kind": "inclusion", "verdict": "meets", "reasons": ["in_range"]}},
    )
    second = make_record(
        started_at=T0 + timedelta(hours=1),
        status="completed",
        outcome="likely_not",
        ended_early=True,
        answers={"age": AGE_42, "cancer_history": "yes"},
        verdicts={
            "inc_age": {"kind": "inclusion", "verdict": "meets", "reasons": ["in_range"]},
            "exc_malignancy": {"kind": "exclusion", "verdict": "does_not_meet", "reasons": ["excluded"]},
        },
    )
    records.save(second, now=T0 + timedelta(hours=2))
    records.save(first, now=T0 + timedelta(minutes=10))

    text = records.export_csv()
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == [
        *BASE_COLUMNS,
        "verdict:inc_age",
        "verdict:exc_malignancy",
        "answer:age",
        "answer:medicines",
        "answer:cancer_history",
    ]
    common = {"channel": "telegram", "trial": "NCT05631717", "criteria_version": "2026-11-25.1"}
    assert list(reader) == [
        {
            **common,
            "reference": first.reference,
            "started_at": "2026-11-25T09:30:00+00:00",
            "updated_at": "2026-11-25T09:40:00+00:00",
            "completed_at": "",
            "status": "in_progress",
            "outcome": "",
            "ended_early": "False",
            "language": "en",
            "verdict:inc_age": "meets",
            "verdict:exc_malignancy": "",
            "answer:age": json.dumps(AGE_42, sort_keys=True),
            "answer:medicines": json.dumps(MEDICINES, sort_keys=True),
            "answer:cancer_history": "",
        },
        {
            **common,
            "reference": second.reference,
            "started_at": "2026-11-25T10:30:00+00:00",
            "updated_at": "2026-11-25T11:30:00+00:00",
            "completed_at": "2026-11-25T11:30:00+00:00",
            "status": "completed",
            "outcome": "likely_not",
            "ended_early": "True",
            "language": "en",
            "verdict:inc_age": "meets",
            "verdict:exc_malignancy": "does_not_meet",
            "answer:age": json.dumps(AGE_42, sort_keys=True),
            "answer:medicines": "",
            "answer:cancer_history": '"yes"',
        },
    ]

    exported = json.loads(records.export_json())
    assert isinstance(exported, list)
    assert exported == records.all() == [records.get(first.reference), records.get(second.reference)]


@pytest.mark.parametrize(("fmt", "to_file"), [("csv", True), ("json", True), ("csv", False), ("json", False)])
def test_cli_export(
    records: Records, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, to_file: bool
) -> None:
    for hours in (0, 1):
        records.save(make_record(started_at=T0 + timedelta(hours=hours)), now=T0 + timedelta(hours=hours))
    expected = records.export_csv() if fmt == "csv" else records.export_json()
    out = tmp_path / f"export.{fmt}"

    assert main(["--db", str(db), "export", "--format", fmt, *(["--out", str(out)] if to_file else [])]) == 0
    printed = capsys.readouterr().out
    if to_file:
        assert out.read_bytes().decode("utf-8") == expected  # byte for byte: csv rows end in \r\n
        assert printed == f"wrote 2 records to {out}\n"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("export")) == [out.name]
    else:
        assert printed == expected
        assert not out.exists()


# --- delete / purge -----------------------------------------------------------


def test_delete_removes_the_record_and_its_rows(
    records: Records,
    db: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gone, kept = make_record(), make_record()
    records.save(gone)
    records.save(kept)
    assert rows_of(records, gone.reference) == {"screenings": 1, "answers": 3, "verdicts": 3}

    assert records.delete(gone.reference) is True
    assert rows_of(records, gone.reference) == {"screenings": 0, "answers": 0, "verdicts": 0}
    assert rows_of(records, kept.reference) == {"screenings": 1, "answers": 3, "verdicts": 3}
    assert records.delete(gone.reference) is False
    assert records.delete("S-NOSUCHREF2") is False

    chats = ["--conversations-db", str(db.with_name("conversations.db"))]
    assert main(["--db", str(db), *chats, "delete", "S-NOSUCHREF2"]) == 1
    assert "no record S-NOSUCHREF2" in capsys.readouterr().err
    assert main(["--db", str(db), *chats, "delete", kept.reference]) == 0
    assert capsys.readouterr().out == f"deleted {kept.reference} and 0 conversation(s)\n"
    assert records.count() == 0
    assert all(n == 0 for n in rows_of(records, kept.reference).values())


@pytest.mark.parametrize(
    ("days", "ages", "purged"),
    [
        # ages: how long before "now" each record was last saved
        (30, [timedelta(days=40), timedelta(days=30, seconds=1), timedelta(days=30), timedelta(days=1)], 2),
        (0, [timedelta(days=2), timedelta(seconds=1), timedelta(0)], 2),
        (365, [timedelta(days=364), timedelta(days=1)], 0),
    ],
)
def test_purge_removes_old_records_with_their_rows(
    records: Records, days: int, ages: list[timedelta], purged: int
) -> None:
    now = T0 + timedelta(days=100)
    saved = []
    for age in ages:
        record = make_record(started_at=now - age - timedelta(hours=1))
        records.save(record, now=now - age)
        saved.append((record.reference, age))

    assert records.purge(days, now=now) == purged
    for reference, age in saved:
        n = 0 if age > timedelta(days=days) else 1
        assert rows_of(records, reference) == {"screenings": n, "answers": 3 * n, "verdicts": 3 * n}, age
    assert records.count() == len(ages) - purged


def test_purge_rejects_a_negative_period(records: Records) -> None:
    records.save(make_record(), now=T0)
    with pytest.raises(ValueError):
        records.purge(-1, now=T0 + timedelta(days=1))
    assert records.count() == 1


def test_cli_purge(records: Records, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, recent = make_record(), make_record()
    records.save(old, now=utc_now() - timedelta(days=31))
    records.save(recent, now=utc_now() - timedelta(days=1))
    chats = ["--conversations-db", str(db.with_name("conversations.db"))]
    assert main(["--db", str(db), *chats, "purge", "--days", "30"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "purged 1 records older than 30 days"
    assert references(records) == {recent.reference}
    assert all(n == 0 for n in rows_of(records, old.reference).values())


# --- transactions and concurrency ---------------------------------------------


@pytest.mark.parametrize("failing_table", ["answers", "verdicts"])
def test_a_failed_save_leaves_the_previous_version_intact(
    records: Records, db: Path, monkeypatch: pytest.MonkeyPatch, failing_table: str
) -> None:
    old = make_record()
    records.save(old, now=T0)
    before = records.get(old.reference)
    new = make_record(
        old.reference,
        status="completed",
        outcome="likely_not",
        answers={"age": {"min_years": 17, "max_years": 17, "days_to_birthday": 3}, "cancer_history": "yes"},
        verdicts={"inc_age": {"kind": "inclusion", "verdict": "does_not_meet", "reasons": ["too_young"]}},
    )
    # The disk fails at the first row written to one table, after the old rows were deleted or replaced:
    # a trigger records what the transaction had done by then, then aborts it.
    records.db.execute("CREATE TABLE seen (answers TEXT)")
    records.db.execute(
        f"CREATE TRIGGER failing BEFORE INSERT ON {failing_table} BEGIN "
        "INSERT INTO seen SELECT group_concat(question) FROM answers; "
        "SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="simulated"):
        records.save(new, now=T0 + timedelta(hours=1))
    records.db.execute("DROP TRIGGER failing")

    # Nothing of the failed save stands, not even what the trigger saw inside it.
    assert list(records.db.query("SELECT * FROM seen")) == []
    assert not records.db.conn.in_transaction
    assert before is not None and before["status"] == "in_progress"
    assert records.get(old.reference) == before
    other = Records(db)
    try:
        assert other.get(old.reference) == before
    finally:
        other.close()
    records.save(new, now=T0 + timedelta(hours=2))  # the store is still usable
    assert (records.get(old.reference) or {}).get("answers") == new.answers


def test_wal_mode_and_busy_timeout(records: Records, db: Path) -> None:
    assert records.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert records.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # stored in the file itself
    finally:
        raw.close()


def test_processes_saving_at_once_lose_nothing(db: Path) -> None:
    Records(db).close()  # an existing database; opening a new one at once is test_opening_a_new_database_...
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=concurrent_writer, args=(str(db), i, start, out)) for i in range(4)]
    owners: dict[str, tuple[int, int]] = {}
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]
        for _ in workers:
            owners.update(out.get(timeout=5))
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=5)

    assert len(owners) == 100
    assert set(owners.values()) == {(w, n) for w in range(4) for n in range(25)}
    records = Records(db)
    try:
        assert records.count() == 100
        stored = {r["reference"]: r for r in records.all()}
        assert set(stored) == set(owners)
        for reference, (w, n) in owners.items():
            assert stored[reference]["status"] == "completed"
            assert stored[reference]["answers"] == {"owner": {"worker": w, "n": n}, "tag": f"w{w}-n{n}"}
    finally:
        records.close()


def test_a_save_waits_for_a_busy_database(records: Records, db: Path) -> None:
    record = make_record()
    with write_lock_held(db, seconds=0.5):
        started = time.monotonic()
        records.save(record)  # must wait for the lock, not raise "database is locked"
        waited = time.monotonic() - started
    assert waited >= 0.3
    assert (records.get(record.reference) or {}).get("answers") == record.answers


def test_opening_a_new_database_waits_for_another_writer(db: Path) -> None:
    """Two processes starting at once on a new database: the second must wait, not fail."""
    with write_lock_held(db, seconds=0.5):
        records = Records(db)
    try:
        assert records.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        records.save(make_record())
        assert records.count() == 1
    finally:
        records.close()
