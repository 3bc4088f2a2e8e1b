"""One settings object, read from the environment once and passed in (issue 21)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.settings import Settings
from bot.storage.records import Records
from channels.shared_state import RedisState
from channels.text import LocalState, text_state


def test_settings_come_from_the_environment_given() -> None:
    env = {
        "SCREENER_DB": "/srv/a.db",
        "SCREENER_CONVERSATIONS_DB": "/srv/c.db",
        "SCREENER_DB_BUSY_TIMEOUT": "2.5",
        "SCREENER_REDIS_URL": "redis://127.0.0.1:6390/0",
        "SCREENER_TODAY": "2026-11-30",
        "SCREENER_RECORDS_URL": "http://10.0.0.5:5056",
        "SCREENER_RECORDS_TOKEN": "t",
        "SCREENER_TRIAL": "NCT05631717",
        "SCREENER_KEEP_HOURS": "12",
    }
    assert Settings.from_env(env) == Settings(
        records_db=Path("/srv/a.db"),
        conversations_db=Path("/srv/c.db"),
        records_url="http://10.0.0.5:5056",
        records_token="t",
        keep_hours=12.0,
        busy_timeout_s=2.5,
        redis_url=env["SCREENER_REDIS_URL"],
        trial="NCT05631717",
        today=date(2026, 11, 30),
    )
    url = "postgresql://screener@10.0.0.5/screener"
    assert Settings.from_env({"SCREENER_CONVERSATIONS_URL": url}).conversations_url == url
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"SCREENER_REDIS_URL": ""}).redis_url is None


def test_the_records_wait_as_long_as_they_are_told(tmp_path: Path) -> None:
    assert Records(tmp_path / "r.db", busy_timeout_s=1.5).busy_timeout_s == 1.5
    assert Records(tmp_path / "s.db").busy_timeout_s == Settings().busy_timeout_s


def test_text_channels_share_redis_only_when_a_url_is_set(tmp_path: Path) -> None:
    assert isinstance(text_state(Settings(records_db=tmp_path / "r.db")), LocalState)
    assert isinstance(text_state(Settings(redis_url="redis://127.0.0.1:1/0")), RedisState)  # connects lazily


def test_no_module_reads_the_settings_at_import() -> None:
    """Importing every module under an environment that names other databases changes no default."""
    code = (
        "import bot.storage.records as r, bot.storage.conversations as c, actions.state, channels.text;"
        "print(r.DEFAULT_DB, c.DEFAULT_DB)"
    )
    env = {"SCREENER_DB": "/elsewhere/a.db", "SCREENER_CONVERSATIONS_DB": "/elsewhere/c.db", "PATH": "/usr/bin"}
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "/elsewhere" not in out and str(Settings().records_db) in out
