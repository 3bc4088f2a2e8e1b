"""Start the real action server and Rasa server on loopback for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.wait_for_port import wait_for_port

MODEL = PROJECT_ROOT / "models" / "screener.tar.gz"
RASA = Path(sys.executable).parent / "rasa"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    rasa_url: str
    db: Path
    logs: Path
    pids: dict[str, int]  # process ids of "rasa" and "actions"

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.load(response))

    def texts(self, sender: str, text: str) -> list[str]:
        return [m.get("text", "") for m in self.say(sender, text)]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _env(db: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        **(extra or {}),
        "SCREENER_DB": str(db),
        "SANIC_HOST": "127.0.0.1",
        "PYTHONPATH": str(PROJECT_ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
    }


def _stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def running_action_server(
    workdir: Path, port: int, db: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    log = workdir / "actions.log"
    command = [str(RASA), "run", "actions", "--port", str(port), "--actions", "actions"]
    actions = _start(command, _env(db or workdir / "screenings.db", env), log)
    try:
        if not wait_for_port("127.0.0.1", port, 120) or actions.poll() is not None:
            raise RuntimeError(f"the action server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        yield actions
    finally:
        _stop(actions)


@contextmanager
def running_servers(workdir: Path, env: dict[str, str] | None = None) -> Iterator[Servers]:
    """Both servers on free loopback ports; ``env`` adds to their environment (channel settings...)."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train` (make test does it)")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n', encoding="utf-8")
    db = workdir / "screenings.db"
    with running_action_server(workdir, actions_port, db, env) as actions:
        log = workdir / "rasa.log"
        rasa = _start(
            [
                str(RASA), "run", "-i", "127.0.0.1", "-p", str(rasa_port), "--model", str(MODEL),
                "--endpoints", str(endpoints), "--credentials", str(PROJECT_ROOT / "credentials.yml"),
            ],
            _env(db, env),
            log,
        )  # fmt: skip
        try:
            if not wait_for_port("127.0.0.1", rasa_port, 180) or rasa.poll() is not None:
                raise RuntimeError(f"the Rasa server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            servers = Servers(f"http://127.0.0.1:{rasa_port}", db, workdir, {"rasa": rasa.pid, "actions": actions.pid})
            _wait_until_answering(servers)
            yield servers
        finally:
            _stop(rasa)


def _wait_until_answering(servers: Servers, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if servers.say("readiness-probe", "/stop"):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the Rasa server never answered")
        time.sleep(0.5)
