"""A cluster on loopback for the tests: Redis, and two Rasa servers that share everything through it."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import redis

from tests.servers import Servers, free_port

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


@contextmanager
def running_cluster(workdir: Path, redis_url: str, env: dict[str, str] | None = None) -> Iterator[list[Servers]]:
    """One action server and two Rasa servers sharing the conversations (SQLite in WAL mode, on this
    one machine), the records, Rasa's lock store and the text channels' state (both in Redis). Each
    ``Servers`` of the list is one Rasa server, the first also the action server."""
    env = {**(env or {}), "SCREENER_REDIS_URL": redis_url}
    second = Servers(workdir, env)
    first = Servers(workdir, env)  # made last: the endpoints file of the workdir is its own
    second.actions_port, second.endpoints, second.rasa_log = first.actions_port, first.endpoints, "rasa2.log"
    first.endpoints.write_text(
        first.endpoints.read_text(encoding="utf-8") + LOCK_STORE.format(port=urlparse(redis_url).port),
        encoding="utf-8",
    )
    try:
        first.start_actions()
        first.start_rasa()
        second.start_rasa()
        yield [first, second]
    finally:
        second.stop()
        first.stop()
