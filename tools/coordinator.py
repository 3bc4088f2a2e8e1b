"""Start the study coordinator's view: Datasette on the records database, behind a login.

    SCREENER_COORDINATOR_PASSWORD=... make coordinator     # http://127.0.0.1:8001
    python -m tools.coordinator [--db PATH] [--port N]

The password comes from the environment (SCREENER_COORDINATOR_PASSWORD; the user name from
SCREENER_COORDINATOR_USER, default "coordinator"). It is hashed here with datasette-auth-passwords'
own function and handed to Datasette in the environment variable the user's account names in
coordinator/metadata.yml: never on the command line (``ps`` shows that), never on disk. Without a
password the view does not start. Datasette listens on loopback only (port $COORDINATOR_PORT, default
8001); docs/coordinator.md puts it behind TLS. Cookies are signed with $DATASETTE_SECRET: without one,
Datasette makes a new secret at each start and every login ends with the process.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from datasette.utils import parse_metadata
from datasette_auth_passwords.utils import hash_password

from bot import PROJECT_ROOT
from bot.settings import Settings
from bot.storage.records import Records

COORDINATOR_DIR = PROJECT_ROOT / "coordinator"
METADATA = COORDINATOR_DIR / "metadata.yml"
PLUGINS_DIR = COORDINATOR_DIR / "plugins"
TEMPLATES_DIR = COORDINATOR_DIR / "templates"
# No download of the database file, no arbitrary SQL (as the metadata's allow_sql), nothing cached.
SETTINGS: dict[str, Any] = {"allow_download": False, "default_allow_sql": False, "default_cache_ttl": 0}
DEFAULT_USER = "coordinator"
DEFAULT_PORT = 8001


class NotConfigured(Exception):
    """What is missing to start, in words for the person starting it."""


def load_metadata() -> dict[str, Any]:
    return dict(parse_metadata(METADATA.read_text(encoding="utf-8")))


def hash_variable(metadata: dict[str, Any], user: str) -> str:
    """The environment variable that holds ``user``'s password hash, as the metadata names it."""
    accounts = (metadata.get("plugins") or {}).get("datasette-auth-passwords") or {}
    account = accounts.get(f"{user}_password_hash")
    if not (isinstance(account, dict) and list(account) == ["$env"]):
        raise NotConfigured(
            f"coordinator/metadata.yml has no account for {user!r}: add "
            f"`{user}_password_hash: {{$env: SCREENER_COORDINATOR_HASH_{user.upper()}}}` under "
            "plugins: datasette-auth-passwords (docs/coordinator.md)"
        )
    allowed = (metadata.get("allow") or {}).get("id")
    if user not in (allowed if isinstance(allowed, list) else [allowed]):
        raise NotConfigured(f"{user!r} is not in the `allow: id:` list of coordinator/metadata.yml")
    return str(account["$env"])


def environment(user: str, password: str, base: dict[str, str]) -> dict[str, str]:
    """Datasette's environment: the user's password hash, and this project importable by the plugin."""
    env = {k: v for k, v in base.items() if k != "SCREENER_COORDINATOR_PASSWORD"}
    env[hash_variable(load_metadata(), user)] = hash_password(password)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), base.get("PYTHONPATH", "")) if p)
    return env


def command(db: Path, port: int) -> list[str]:
    datasette = str(Path(sys.executable).parent / "datasette")  # the venv's own
    settings = [
        arg
        for name, value in SETTINGS.items()
        for arg in ("--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value))
    ]
    return [
        datasette,
        "serve",
        str(db),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--metadata",
        str(METADATA),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        *settings,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.coordinator", description="The study coordinator's view.")
    parser.add_argument("--db", type=Path, default=Settings.from_env().records_db)
    parser.add_argument("--port", type=int, default=int(os.environ.get("COORDINATOR_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    os.umask(0o077)  # the database and its -wal and -shm files hold health data: owner only

    user = os.environ.get("SCREENER_COORDINATOR_USER") or DEFAULT_USER
    password = os.environ.get("SCREENER_COORDINATOR_PASSWORD", "")
    if not password:
        print("Set SCREENER_COORDINATOR_PASSWORD: the coordinator's view does not start without one.", file=sys.stderr)
        return 2
    try:
        env = environment(user, password, dict(os.environ))
    except NotConfigured as error:
        print(error, file=sys.stderr)
        return 2
    if not env.get("DATASETTE_SECRET"):
        print("DATASETTE_SECRET is not set: logins last until the view stops (docs/coordinator.md).", file=sys.stderr)
    Records(args.db).close()  # the tables, trigger and views, if the database is new
    print(f"The coordinator's view: http://127.0.0.1:{args.port}/ (log in as {user})", flush=True)
    cmd = command(args.db, args.port)
    os.execve(cmd[0], cmd, env)  # Datasette takes this process's place: Ctrl-C and signals reach it


if __name__ == "__main__":
    raise SystemExit(main())
