"""Who has texted STOP, kept across restarts: a carrier opt-out must outlive the process.

Only the keyed hash that a text channel uses as sender id is stored, never the
number or openid. The table lives in the records database (``Settings.records_db``),
which is not purged of it: an opt-out is kept until the person opts back in.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path


class OptOuts:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS sms_opt_outs (sender TEXT PRIMARY KEY, since TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=10)

    def __contains__(self, sender: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM sms_opt_outs WHERE sender = ?", [sender]).fetchone() is not None

    def add(self, sender: str) -> None:
        with self._connect() as conn:
            since = datetime.now(timezone.utc).isoformat(timespec="seconds")
            conn.execute("INSERT OR IGNORE INTO sms_opt_outs (sender, since) VALUES (?, ?)", [sender, since])

    def discard(self, sender: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM sms_opt_outs WHERE sender = ?", [sender])
