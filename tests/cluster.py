"""A cluster on loopback for the tests: Redis, and two Rasa servers that share everything through it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import redis
import sqlalchemy

from tests.servers import OUR_STORE, Servers, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"  # Debian's redis-server (make test installs it)


@contextmanager
def running_redis(workdir: Path) -> Iterator[str]:
    """A Redis server of its own on a free loopback port, in memory only; yields its URL."""
    port = free_port()
    command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


# Rasa's own RedisLockStore lets two servers handle one conversation at once (rasa_plugins/lock_store.py).
LOCK_STORE = (
    "lock_store:\n  type: rasa_plugins.lock_store.SerialRedisLockStore\n"
    "  url: 127.0.0.1\n  port: {port}\n  db: 1\n  key_prefix: screener\n"
)


def postgres_store(url: str) -> str:
    """The tracker store section of endpoints.yml for our store on PostgreSQL."""
    parts = urlparse(url)
    return (
        f"tracker_store:\n  type: {OUR_STORE}\n  dialect: postgresql\n  url: {parts.hostname}\n"
        f"  port: {parts.port}\n  db: {parts.path.lstrip('/')}\n  username: {parts.username}\n"
    )


@contextmanager
def running_cluster(
    workdir: Path, redis_url: str, env: dict[str, str] | None = None, conversations_url: str | None = None
) -> Iterator[list[Servers]]:
    """One action server and two Rasa servers sharing the conversations (SQLite in WAL mode, on this
    one machine, or PostgreSQL at ``conversations_url``), the records, Rasa's lock store and the text
    channels' state (both in Redis). Each ``Servers`` of the list is one Rasa server, the first also
    the action server."""
    env = {**(env or {}), "SCREENER_REDIS_URL": redis_url}
    second = Servers(workdir, env)
    first = Servers(workdir, env)  # made last: the endpoints file of the workdir is its own
    second.actions_port, second.endpoints, second.rasa_log = first.actions_port, first.endpoints, "rasa2.log"
    endpoints = first.endpoints.read_text(encoding="utf-8")
    if conversations_url:
        endpoints = endpoints.split("tracker_store:")[0] + postgres_store(conversations_url)
    first.endpoints.write_text(endpoints + LOCK_STORE.format(port=urlparse(redis_url).port), encoding="utf-8")
    try:
        first.start_actions()
        first.start_rasa()
        second.start_rasa()
        yield [first, second]
    finally:
        second.stop()
        first.stop()


POSTGRES_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/lib/postgresql/15/bin"))


@contextmanager
def running_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own on a free loopback port (Debian's postgresql, run as the
    postgres user when this is root, as PostgreSQL requires); yields the URL of a database."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(tempfile.mkdtemp(prefix="screener-pg-"))  # not under pytest's private root directory
    if as_postgres:
        shutil.chown(data, "postgres")
    port = free_port()
    run = [*as_postgres, str(POSTGRES_BIN / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres"]
    subprocess.run([*run, "--no-sync"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = [*as_postgres, str(POSTGRES_BIN / "postgres"), "-D", str(data / "db"), "-p", str(port), "-k", str(data)]
    process = subprocess.Popen(
        [*server, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        admin = sqlalchemy.create_engine(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        for _ in range(200):
            try:
                with admin.connect() as connection:
                    connection.execute(sqlalchemy.text("CREATE DATABASE screener"))
                break
            except sqlalchemy.exc.OperationalError:
                time.sleep(0.1)
        admin.dispose()
        yield f"postgresql://postgres@127.0.0.1:{port}/screener"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
