"""A cluster on loopback, for the tests and ``make cluster``: Redis, PostgreSQL, the records service,
two Rasa servers with their action servers, and haproxy in front."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlparse

import redis
import sqlalchemy

from bot import PROJECT_ROOT
from tests.servers import ACTION_ENDPOINT, OUR_STORE, Servers, _env, _start, _stop, _wait_for, free_port

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


def sqlite_store(path: Path) -> str:
    return f"tracker_store:\n  type: {OUR_STORE}\n  dialect: sqlite\n  db: {json.dumps(str(path))}\n"


def postgres_store(url: str) -> str:
    """The tracker store section of endpoints.yml for our store on PostgreSQL."""
    parts = urlparse(url)
    return (
        f"tracker_store:\n  type: {OUR_STORE}\n  dialect: postgresql\n  url: {parts.hostname}\n"
        f"  port: {parts.port}\n  db: {parts.path.lstrip('/')}\n  username: {parts.username}\n"
    )


RECORDS_TOKEN = "cluster-records-token"


@contextmanager
def running_records_service(workdir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The records service (bot/storage/service.py) over ``workdir``/screenings.db; yields its URL."""
    port, log = free_port(), workdir / "records-service.log"
    env = {**_env(workdir / "screenings.db", env), "SCREENER_RECORDS_TOKEN": RECORDS_TOKEN}
    process = _start([sys.executable, "-m", "bot.storage.service", "--port", str(port)], env, log)
    try:
        _wait_for(process, port, 60, log, "records service")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@contextmanager
def running_cluster(
    workdir: Path, redis_url: str, env: dict[str, str] | None = None, conversations_url: str | None = None
) -> Iterator[list[Servers]]:
    """Two Rasa servers sharing the conversations, Rasa's lock store and the text channels' state
    (Redis). Each ``Servers`` of the list is one Rasa server.

    - As on one machine (no ``conversations_url``): conversations and records in SQLite files in WAL
      mode, one action server (the first's).
    - As on several (conversations in PostgreSQL at ``conversations_url``): each Rasa server has its
      own action server, and both write the records through the records service, as machines that
      share no disk do.
    """
    env = {**(env or {}), "SCREENER_REDIS_URL": redis_url}
    with ExitStack() as running:
        if conversations_url:
            service = running.enter_context(running_records_service(workdir, env))
            env = {**env, "SCREENER_RECORDS_URL": service, "SCREENER_RECORDS_TOKEN": RECORDS_TOKEN}
        servers = [Servers(workdir, env) for _ in range(2)]
        nowhere = workdir / "no-records-file-here" / "screenings.db"
        for server in servers if conversations_url else []:
            server.env["SCREENER_DB"] = str(nowhere)  # they share no disk with the records service
        for n, server in enumerate(servers[1:], start=2):
            server.rasa_log, server.actions_log, server.endpoints = (
                f"rasa{n}.log",
                f"actions{n}.log",
                server.endpoints.with_name(f"endpoints{n}.yml"),
            )
            if not conversations_url:
                server.actions_port = servers[0].actions_port
        for server in servers:
            endpoints = ACTION_ENDPOINT.format(port=server.actions_port) + LOCK_STORE.format(
                port=urlparse(redis_url).port
            )
            store = postgres_store(conversations_url) if conversations_url else sqlite_store(server.conversations_db)
            server.endpoints.write_text(endpoints + store, encoding="utf-8")
        for server in servers:
            running.callback(server.stop)
            if conversations_url or server is servers[0]:
                server.start_actions()
            server.start_rasa()
        yield servers
    assert not nowhere.parent.exists(), "a server of another machine opened the records database itself"


HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian's haproxy (make cluster-test installs it)
# Its log (haproxy.log in the workdir) names the server of each request: "rasa/rasa2".
BALANCER = """global
    maxconn 2000
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout tunnel 1h  # the widget's WebSocket
    retries 2
    option redispatch  # a server that refuses the connection: the next one
frontend screener
    bind 127.0.0.1:{port}
    default_backend rasa
backend rasa
    balance roundrobin
    option httpchk GET /
{servers}
"""


@contextmanager
def running_balancer(workdir: Path, servers: list[Servers], port: int = 0) -> Iterator[str]:
    """haproxy on loopback (``port``, else a free one), dealing requests round robin to the Rasa servers
    and leaving out one that fails its health check; yields its URL."""
    port, config = port or free_port(), workdir / "haproxy.cfg"
    lines = [
        f"    server rasa{n} 127.0.0.1:{s.rasa_port} check inter 500ms fall 2 rise 2" for n, s in enumerate(servers, 1)
    ]
    config.write_text(BALANCER.format(port=port, servers="\n".join(lines)), encoding="utf-8")
    log = workdir / "haproxy.log"
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        _wait_for(process, port, 30, log, "load balancer")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


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


def main(argv: list[str] | None = None) -> None:
    """``make cluster``: the deployment of several machines rehearsed on loopback (Redis, PostgreSQL,
    the records service, two Rasa servers with an action server each, haproxy), with the widget's
    demo page talking to haproxy. Ctrl-C stops it all; what it stored goes with it."""
    parser = argparse.ArgumentParser(prog="python -m tests.cluster", description=main.__doc__)
    parser.add_argument("--port", type=int, default=5005, help="the load balancer's (the Rasa servers')")
    parser.add_argument("--web-port", type=int, default=8080, help="the demo page's")
    args = parser.parse_args(argv)
    page = f"http://127.0.0.1:{args.web_port}"
    env = {"SCREENER_WIDGET_ORIGINS": f"{page},http://localhost:{args.web_port}"}
    with tempfile.TemporaryDirectory(prefix="screener-cluster-") as temporary, ExitStack() as running:
        workdir = Path(temporary)
        redis_url = running.enter_context(running_redis(workdir))
        postgres = running.enter_context(running_postgres())
        servers = running.enter_context(running_cluster(workdir, redis_url, env, postgres))
        balancer = running.enter_context(running_balancer(workdir, servers, args.port))
        web = [sys.executable, "-m", "web.serve", "--quiet", "--port", str(args.web_port), "--rasa-url", balancer]
        page_server = subprocess.Popen(web, cwd=PROJECT_ROOT)
        running.callback(_stop, page_server)
        print(f"The cluster is up: the web chat at {page}, the Rasa servers behind {balancer}; logs in {workdir}.")
        print("Ctrl-C stops it.", flush=True)
        with suppress(KeyboardInterrupt):
            page_server.wait()


if __name__ == "__main__":
    main()
