"""Who has texted STOP (or unfollowed on WeChat), kept across restarts: a carrier opt-out must
outlive the process.

Only the keyed hash that a text channel uses as sender id is stored, never the number or openid.
The table ``opt_outs`` lives in the records database (``Settings.records_db``, its schema in
``schema.py``) and is not purged: an opt-out is kept until the person opts back in.

    >>> from bot.storage.records import Records
    >>> opt_outs = OptOuts(Records(":memory:"))  # doctest: +SKIP
    >>> opt_outs.add("sms-3f2a..."); "sms-3f2a..." in opt_outs  # doctest: +SKIP
    True
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from bot.storage.records import Records


class OptOuts:
    def __init__(self, records: Records | Path | str) -> None:
        self.records = records if isinstance(records, Records) else Records(records)
        self.path = self.records.path

    def __contains__(self, sender: str) -> bool:
        return bool(list(self.records.db.query("SELECT 1 FROM opt_outs WHERE sender = ?", [sender])))

    def add(self, sender: str) -> None:
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.records.db.execute("INSERT OR IGNORE INTO opt_outs (sender, since) VALUES (?, ?)", [sender, since])

    def discard(self, sender: str) -> None:
        self.records.db.execute("DELETE FROM opt_outs WHERE sender = ?", [sender])
