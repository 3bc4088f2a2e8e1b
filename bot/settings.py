"""A deployment's settings: read once from the environment at start-up, then passed in.

    >>> Settings.from_env({"SCREENER_DB": "/srv/screenings.db"}).records_db
    PosixPath('/srv/screenings.db')
    >>> Settings.from_env({}).redis_url is None
    True

No module reads these at import: each process builds one ``Settings`` when it starts (the action
server on its first request, a channel when Rasa loads it, a command in its ``main``), so that
several servers of one deployment are configured the same way by the same words.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot import PROJECT_ROOT


@dataclass(frozen=True)
class Settings:
    records_db: Path = PROJECT_ROOT / "var" / "screenings.db"  # $SCREENER_DB
    conversations_db: Path = PROJECT_ROOT / "var" / "conversations.db"  # $SCREENER_CONVERSATIONS_DB
    # Where several machines keep them instead: a SQLAlchemy URL, postgresql://... ($SCREENER_CONVERSATIONS_URL)
    conversations_url: str | None = None
    # Action servers on several machines write through the records service instead (bot/storage/service.py)
    records_url: str | None = None  # $SCREENER_RECORDS_URL
    records_token: str | None = None  # $SCREENER_RECORDS_TOKEN, shared by the service and its clients
    # How long an idle conversation (what people typed) is kept: by the store and by the purge ($SCREENER_KEEP_HOURS)
    keep_hours: float = 24.0
    busy_timeout_s: float = 10.0  # how long a write waits for another writer ($SCREENER_DB_BUSY_TIMEOUT)
    redis_url: str | None = None  # the text channels' shared state ($SCREENER_REDIS_URL); none: in memory
    trial: str | None = None  # the trial served: a registry id or a path ($SCREENER_TRIAL); none: the only one
    today: date | None = None  # a fixed clock for tests that play dated answers ($SCREENER_TODAY)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        default = cls()
        return cls(
            records_db=Path(env.get("SCREENER_DB") or default.records_db),
            conversations_db=Path(env.get("SCREENER_CONVERSATIONS_DB") or default.conversations_db),
            conversations_url=env.get("SCREENER_CONVERSATIONS_URL") or None,
            records_url=env.get("SCREENER_RECORDS_URL") or None,
            records_token=env.get("SCREENER_RECORDS_TOKEN") or None,
            keep_hours=float(env.get("SCREENER_KEEP_HOURS") or default.keep_hours),
            busy_timeout_s=float(env.get("SCREENER_DB_BUSY_TIMEOUT") or default.busy_timeout_s),
            redis_url=env.get("SCREENER_REDIS_URL") or None,
            trial=env.get("SCREENER_TRIAL") or None,
            today=date.fromisoformat(env["SCREENER_TODAY"]) if env.get("SCREENER_TODAY") else None,
        )
