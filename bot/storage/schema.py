"""The records database's schema, as numbered migrations: a database says how far it has come in
SQLite's ``user_version``, and opening it runs the steps it has not had, each in the one write
transaction that also moves the number, so a step completes or leaves the database as it was.

    >>> from sqlite_utils import Database
    >>> db = Database(memory=True)
    >>> migrate(db)
    2
    >>> sorted(t for t in db.table_names() if t in ("screenings", "opt_outs"))
    ['opt_outs', 'screenings']

A database from before migrations (``user_version`` 0) may hold some of the tables already: the
first step creates only what is missing. Add a step at the end; never change one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from bot.storage import callbacks, funnel


def _tables(db: Database) -> None:
    """Step 1: the tables as they were before migrations were numbered."""
    db.table("screenings").create(
        {
            "reference": str,
            "channel": str,
            "trial": str,
            "criteria_version": str,
            "criteria_digest": str,
            "started_at": str,
            "updated_at": str,
            "completed_at": str,
            "status": str,
            "outcome": str,
            "ended_early": int,
        },
        pk="reference",
        not_null={"channel", "trial", "criteria_version", "started_at", "updated_at", "status"},
        if_not_exists=True,
    )
    for table, key in (("answers", "question"), ("verdicts", "criterion")):
        columns = {"reference": str, key: str}
        columns.update({"value": str} if table == "answers" else {"kind": str, "verdict": str, "reasons": str})
        db.table(table).create(
            columns, pk=("reference", key), foreign_keys=[("reference", "screenings", "reference")], if_not_exists=True
        )
    if "language" not in db.table("screenings").columns_dict:  # a database from before languages
        db.table("screenings").add_column("language", str)
    db.table("screenings").create_index(["updated_at"], if_not_exists=True)
    # Which conversation created each record (a hash of its id): no other may overwrite it.
    db.table("owners").create(
        {"reference": str, "owner": str},
        pk="reference",
        foreign_keys=[("reference", "screenings", "reference")],
        if_not_exists=True,
    )
    callbacks.create(db)
    funnel.create(db)
    db.execute("CREATE TABLE IF NOT EXISTS sms_opt_outs (sender TEXT PRIMARY KEY, since TEXT NOT NULL)")


# Step 2's tables, rebuilt so that deleting a record (or a call-back) deletes what hangs from it.
_CASCADING = {
    "answers": """CREATE TABLE answers (
        reference TEXT NOT NULL REFERENCES screenings (reference) ON DELETE CASCADE,
        question TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (reference, question))""",
    "verdicts": """CREATE TABLE verdicts (
        reference TEXT NOT NULL REFERENCES screenings (reference) ON DELETE CASCADE,
        criterion TEXT NOT NULL,
        kind TEXT,
        verdict TEXT,
        reasons TEXT,
        PRIMARY KEY (reference, criterion))""",
    "owners": """CREATE TABLE owners (
        reference TEXT PRIMARY KEY REFERENCES screenings (reference) ON DELETE CASCADE,
        owner TEXT)""",
    "callback_audit": """CREATE TABLE callback_audit (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL REFERENCES callbacks (reference) ON DELETE CASCADE,
        changed_at TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        old_status TEXT NOT NULL,
        new_status TEXT NOT NULL)""",
}
_PARENT = {"answers": "screenings", "verdicts": "screenings", "owners": "screenings", "callback_audit": "callbacks"}


def _cascades(db: Database) -> None:
    """Step 2: deletes cascade from a record to its answers, verdicts and owner, and from a call-back
    to its audit; the opt-out table, which WeChat shares, is named for no one channel."""
    # The trigger writes into callback_audit by name, and a rename would carry it to the old table.
    db.execute("DROP TRIGGER IF EXISTS callback_status_audit")
    for table, create in _CASCADING.items():
        columns = ", ".join(db.table(table).columns_dict)
        db.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
        db.execute(create)
        # Rows whose parent is already gone were waiting for a delete that now cascades.
        db.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_old "
            f"WHERE reference IN (SELECT reference FROM {_PARENT[table]})"
        )
        db.execute(f"DROP TABLE {table}_old")
    db.execute("CREATE INDEX IF NOT EXISTS callback_audit_reference ON callback_audit (reference)")
    callbacks.create(db)  # the trigger again
    db.execute("ALTER TABLE sms_opt_outs RENAME TO opt_outs")


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_tables, _cascades)


def version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database) -> int:
    """Run the steps ``db`` has not had, each in its own write transaction; returns the version.
    Several processes may open one database at once: each step checks the version again once it
    holds the write lock, so a step runs once."""
    for number, step in enumerate(MIGRATIONS, start=1):
        if version(db) >= number:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if version(db) < number:
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return version(db)
