"""What an outsider on the same host could reach: the REST channel, typed commands, message size,
the action server, other people's records, and the files that hold health data."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot import PROJECT_ROOT
from bot.storage.records import Records
from bot.trial.model import load_trial
from channels import MAX_MESSAGE_CHARS, as_typed
from channels.rest import SENDER_PREFIX, TOKEN_ENV, refusal
from tests.servers import ACTION_TOKEN, REST_AUTH, Servers, free_port, running_action_server
from tests.test_end_to_end import FIT, reference_in, start

pytestmark = pytest.mark.servers
TRIAL = load_trial()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


# --------------------------------------------------------------------------- REST
@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": REST_AUTH["Authorization"] + "x"}, 401)],
)
def test_the_rest_channel_answers_only_with_its_token(servers: Servers, headers: dict[str, str], code: int) -> None:
    status, body = post(f"{servers.rasa_url}/webhooks/rest/webhook", b'{"sender": "x", "message": "hello"}', headers)
    assert status == code and b"hello" not in body


def test_the_rest_channel_requires_a_sender(servers: Servers) -> None:
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    assert post(url, b'{"message": "hello"}', REST_AUTH)[0] == 400
    assert post(url, b'{"sender": "  ", "message": "hello"}', REST_AUTH)[0] == 400
    assert post(url, b"not json", REST_AUTH)[0] == 400


def _request(headers: dict[str, str], body: Any = None) -> Any:
    return SimpleNamespace(headers=headers, method="POST", json=body)


def test_with_no_token_set_the_rest_channel_refuses_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    refused = refusal(_request({"Authorization": "Bearer "}, {"sender": "a"}))
    assert refused is not None and refused.status == 403
    monkeypatch.setenv(TOKEN_ENV, "s3cret")
    assert refusal(_request({"Authorization": "Bearer s3cret"}, {"sender": "a"})) is None


def test_a_rest_sender_can_never_reach_another_channels_conversation(servers: Servers) -> None:
    """A widget session id given as the REST sender opens a REST conversation of its own."""
    widget_session = "0123456789abcdef0123456789abcdef"
    servers.texts(widget_session, "hello")
    with sqlite3.connect(servers.conversations_db) as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert SENDER_PREFIX + widget_session in senders and widget_session not in senders


# ------------------------------------------------------------------- typed commands
@pytest.mark.parametrize(
    "command",
    ["/restart", "/session_start", "/back", '/affirm{"consent": false}', "/stop", "/cancel_callback", "/RESTART"],
)
def test_typed_rasa_commands_are_no_commands(command: str) -> None:
    assert as_typed(command) == "/out_of_scope"


@pytest.mark.parametrize("payload", ["/greet", "/affirm", "/correct", "/resume", "/start_over", " /affirm "])
def test_the_bots_own_button_payloads_pass(payload: str) -> None:
    assert as_typed(payload) == payload


@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back"])
def test_a_typed_restart_keeps_the_answers(servers: Servers, command: str) -> None:
    chat = start(servers, f"command-{command.strip('/')}")
    chat.send("I'm 34", "yes")
    reply = chat.send(command)
    assert TRIAL.texts["out_of_scope"] in reply
    assert TRIAL.questions["kidney_involvement"].text in reply[-1]
    closing = chat.send("stop")
    saved = Records(servers.db).get(reference_in(closing))
    assert saved is not None and saved["answers"]["lupus_diagnosis"] == "yes"


# ---------------------------------------------------------------------- message size
def test_an_over_long_message_gets_a_kind_reply_and_changes_nothing(servers: Servers) -> None:
    chat = start(servers, "too-long-1")
    chat.send("I'm 34")
    assert chat.send("no " * 20_000) == [TRIAL.texts["too_long"]]
    assert chat.send("x" * (MAX_MESSAGE_CHARS + 1)) == [TRIAL.texts["too_long"]]
    reply = chat.send("yes")  # the screen is where it was
    assert TRIAL.questions["kidney_involvement"].text in reply[-1]


# ----------------------------------------------------------------------- action server
@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    workdir = tmp_path_factory.mktemp("action-server")
    port = free_port()
    with running_action_server(workdir, port):
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}/webhook", db=workdir / "screenings.db")


def _call(action: str, sender: str, slots: dict[str, Any]) -> bytes:
    tracker = {
        "sender_id": sender,
        "slots": slots,
        "latest_message": {"text": "yes", "intent": {"name": "affirm"}},
        "events": [],
        "latest_input_channel": "rest",
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return json.dumps({"next_action": action, "sender_id": sender, "tracker": tracker, "domain": {}}).encode()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ACTION_TOKEN}])
def test_the_action_server_refuses_a_call_without_rasas_secret(action_server: Any, headers: dict[str, str]) -> None:
    before = Records(action_server.db).count()
    slots = {"consent": True, "reference": "S-AAAAAAAAAA", "started_at": "2026-11-30T10:00:00+00:00"}
    status, body = post(action_server.url, _call("action_stop_screening", "outsider", slots), headers)
    assert status == 401 and b"S-AAAAAAAAAA" not in body
    assert Records(action_server.db).count() == before


def test_with_no_secret_set_the_action_server_refuses_everyone(tmp_path: Path) -> None:
    port = free_port()
    with running_action_server(tmp_path, port, env={"SCREENER_ACTION_TOKEN": ""}):
        status, _ = post(f"http://127.0.0.1:{port}/webhook", _call("action_intro", "x", {}), {})
        assert status == 503


def test_an_error_never_echoes_the_request(action_server: Any) -> None:
    auth = {"Authorization": f"Bearer {ACTION_TOKEN}"}
    secret_words = "my-private-words"
    body = json.dumps({"next_action": "action_recap", "tracker": {"slots": secret_words}}).encode()
    status, reply = post(action_server.url, body, auth)
    assert status >= 400 and secret_words.encode() not in reply
    status, reply = post(action_server.url, b"{not json " + secret_words.encode(), auth)
    assert status == 400 and secret_words.encode() not in reply


def test_a_conversation_cannot_overwrite_a_record_it_did_not_create(action_server: Any) -> None:
    auth = {"Authorization": f"Bearer {ACTION_TOKEN}"}
    slots = {"consent": True, "reference": "S-BBBBBBBBBB", "started_at": "2026-11-30T10:00:00+00:00"}
    assert post(action_server.url, _call("action_stop_screening", "owner", slots), auth)[0] == 200
    owned = Records(action_server.db).get("S-BBBBBBBBBB")
    assert owned is not None
    slots["screening_state"] = {"answers": {"protein_result": {"measure": "upcr", "grams": 999, "grams_max": 999}}}
    assert post(action_server.url, _call("action_stop_screening", "someone-else", slots), auth)[0] == 200
    assert Records(action_server.db).get("S-BBBBBBBBBB") == owned


# ------------------------------------------------------------------------ private files
def _private(path: Path) -> bool:
    return not stat.S_IMODE(path.stat().st_mode) & 0o077


def test_files_holding_health_data_are_readable_by_their_owner_only(servers: Servers, tmp_path: Path) -> None:
    chat = start(servers, "private-files-1")
    chat.answer_until_done(FIT)
    files = [*servers.db.parent.glob("screenings.db*"), *servers.db.parent.glob("conversations.db*")]
    assert {f.name for f in files} >= {"screenings.db", "screenings.db-wal", "conversations.db"}
    assert [f.name for f in files if not _private(f)] == []
    out = tmp_path / "export.csv"
    export = [sys.executable, "-m", "bot.storage.records", "--db", str(servers.db), "export", "--out", str(out)]
    subprocess.run(export, cwd=PROJECT_ROOT, check=True, capture_output=True)
    assert _private(out)
