"""Start the real action server and Rasa server on loopback for end-to-end tests.

``running_servers`` yields a ``Servers`` that can also stop and start either
server mid-conversation (the fault tests), keeping ports, databases and logs.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from tools.wait_for_port import wait_for_port

MODEL = PROJECT_ROOT / "models" / "screener.tar.gz"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
RASA = Path(sys.executable).parent / "rasa"
OUR_STORE = "rasa_plugins.conversation_store.ConversationStore"
# How the Rasa server is started: with our patches (the launcher), or stock Rasa (the benchmark's default).
OUR_RASA = (sys.executable, "-m", "rasa_plugins")
STOCK_RASA = (str(RASA),)
# The secrets of this test run: Rasa's for the action server, and the REST channel's for the tests.
ACTION_TOKEN = secrets.token_hex(16)
REST_TOKEN = secrets.token_hex(16)
REST_AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}
ACTION_ENDPOINT = (
    'action_endpoint:\n  url: "http://127.0.0.1:{port}/webhook"\n'
    "  headers:\n    Authorization: Bearer ${{SCREENER_ACTION_TOKEN}}\n"
)

STOCK_STORE = "SQL"  # Rasa's own SQL tracker store, for the benchmark's default configuration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    # Run from the tree whose code runs (PYTHONPATH): its actions/, endpoints and data.
    return subprocess.Popen(command, cwd=env["PYTHONPATH"], env=env, stdout=handle, stderr=subprocess.STDOUT)


def _env(db: Path, extra: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> dict[str, str]:
    return {
        **os.environ,
        "SCREENER_ACTION_TOKEN": ACTION_TOKEN,
        "SCREENER_REST_TOKEN": REST_TOKEN,
        **(extra or {}),
        "SCREENER_DB": str(db),
        "SANIC_HOST": "127.0.0.1",
        # The action server keeps idle connections 5 s; Rasa's kept sessions drop theirs after 2 s
        # (rasa_plugins/speedups.py), so Rasa never reuses one the server is closing. Set, not assumed.
        "SANIC_KEEP_ALIVE_TIMEOUT": "5",
        "PYTHONPATH": str(root),  # the tree whose code runs (the benchmark also runs an older one)
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
    }


def _stop(*processes: subprocess.Popen[bytes] | None) -> None:
    for process in processes:
        if process and process.poll() is None:
            process.terminate()
    for process in processes:
        if not process:
            continue
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(process: subprocess.Popen[bytes], port: int, seconds: float, log: Path, what: str) -> None:
    """Until the port opens; a server that exits (refusing to start) is reported at once."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        if wait_for_port("127.0.0.1", port, 1):
            return
    raise RuntimeError(f"the {what} did not start:\n{log.read_text(errors='replace')[-3000:]}")


class Servers:
    """A Rasa server and an action server on loopback, sharing one records database."""

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str] | None = None,
        model: Path = MODEL,
        tracker_store: str = OUR_STORE,
        credentials: Path = CREDENTIALS,
        rasa: tuple[str, ...] = OUR_RASA,
        root: Path = PROJECT_ROOT,
    ) -> None:
        self.workdir, self.model, self.credentials, self.rasa_command = workdir, model, credentials, rasa
        self.logs = workdir  # actions.log and rasa.log
        self.db = workdir / "screenings.db"
        self.conversations_db = workdir / "conversations.db"
        self.env = _env(self.db, env, root)
        self.actions_port, self.rasa_port = free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            ACTION_ENDPOINT.format(port=self.actions_port)
            + f"tracker_store:\n  type: {tracker_store}\n  dialect: sqlite\n"
            f"  db: {json.dumps(str(self.conversations_db))}\n",
            encoding="utf-8",
        )
        self.actions: subprocess.Popen[bytes] | None = None
        self.rasa: subprocess.Popen[bytes] | None = None
        self.rasa_log = "rasa.log"  # a second Rasa server of a cluster logs to its own file
        self.actions_log = "actions.log"

    @property
    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in (("rasa", self.rasa), ("actions", self.actions)) if p}

    def start_actions(self) -> None:
        log = self.workdir / self.actions_log
        command = [str(RASA), "run", "actions", "--port", str(self.actions_port), "--actions", "actions"]
        self.actions = _start(command, self.env, log)
        _wait_for(self.actions, self.actions_port, 120, log, "action server")

    def stop_actions(self) -> None:
        _stop(self.actions)
        self.actions = None

    def start_rasa(self) -> None:
        log = self.workdir / self.rasa_log
        command = [
            *self.rasa_command, "run", "-i", "127.0.0.1", "-p", str(self.rasa_port), "--model", str(self.model),
            "--endpoints", str(self.endpoints), "--credentials", str(self.credentials),
        ]  # fmt: skip
        self.rasa = _start(command, self.env, log)
        _wait_for(self.rasa, self.rasa_port, 180, log, "Rasa server")
        self._wait_until_answering()

    def stop_rasa(self) -> None:
        _stop(self.rasa)
        self.rasa = None

    def stop(self) -> None:
        _stop(self.rasa, self.actions)
        self.rasa = self.actions = None

    def say(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        message: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            message["metadata"] = metadata  # as a channel passes it (the widget's language)
        body = json.dumps(message).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json", **REST_AUTH},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.load(response))

    def texts(self, sender: str, text: str) -> list[str]:
        return [m.get("text", "") for m in self.say(sender, text)]

    def _wait_until_answering(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if self.say("readiness-probe", "/stop"):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the Rasa server never answered")
            time.sleep(0.5)


@contextmanager
def running_action_server(
    workdir: Path, port: int, db: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Only the action server (for `rasa test`), on a given port."""
    log = workdir / "actions.log"
    command = [str(RASA), "run", "actions", "--port", str(port), "--actions", "actions"]
    actions = _start(command, _env(db or workdir / "screenings.db", env), log)
    try:
        _wait_for(actions, port, 120, log, "action server")
        yield actions
    finally:
        _stop(actions)


@contextmanager
def running_servers(
    workdir: Path,
    env: dict[str, str] | None = None,
    model: Path = MODEL,
    tracker_store: str = OUR_STORE,
    credentials: Path = CREDENTIALS,
    rasa: tuple[str, ...] = OUR_RASA,
    root: Path = PROJECT_ROOT,
) -> Iterator[Servers]:
    """Both servers on free loopback ports; ``env`` adds to their environment (channel settings...).
    ``root`` is the tree whose code they run, with ``model`` and ``credentials`` its own."""
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make train` (make test does it)")
    servers = Servers(workdir, env, model, tracker_store, credentials, rasa, root)
    try:
        servers.start_actions()
        servers.start_rasa()
        yield servers
    finally:
        servers.stop()
