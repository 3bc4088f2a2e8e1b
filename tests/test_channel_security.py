"""The socket.io channel and what the Rasa server exposes, spoken to directly (no browser).

The browser tests (test_widget.py) cover the widget; these cover the protocol:
allowed and refused origins, session ids, message fields, blank and oversized
messages, and that Rasa's HTTP API is off and no CORS header invites other sites.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from typing import Any

import pytest
import socketio

from bot.trial.model import load_trial
from channels import MAX_MESSAGE_CHARS
from tests.servers import REST_AUTH, Servers

pytestmark = pytest.mark.servers
TRIAL = load_trial()
ALLOWED = "http://127.0.0.1:8080"  # the default widget origin (no SCREENER_WIDGET_ORIGINS in these servers)


class Client:
    """One browser tab's socket.io connection (polling: this aiohttp cannot do the client websocket)."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict[str, Any]] = []
        self.typing: list[bool] = []
        self.sessions: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("bot_uttered", self.messages.append)
        self.sio.on("bot_typing", lambda data: self.typing.append(data["typing"]))
        self.sio.on("session_confirm", self.sessions.put_nowait)

    async def connect(self, url: str, origin: str = ALLOWED) -> None:
        await self.sio.connect(url, headers={"Origin": origin}, transports=["polling"])

    async def close(self) -> None:
        # Without abort, a polling client waits out the server's long-poll (~25 s).
        await self.sio.eio.disconnect(abort=True)

    async def session(self, session_id: str | None = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.sessions.get(), 10)

    async def say(self, text: Any, settle: float = 0.3, metadata: Any = None) -> list[dict[str, Any]]:
        """Send, wait until the typing indicator is off again; the messages that came."""
        before, typing_before = len(self.messages), len(self.typing)
        await self.sio.emit("user_uttered", {"message": text, **({"metadata": metadata} if metadata else {})})
        for _ in range(200):
            await asyncio.sleep(0.05)
            if len(self.typing) > typing_before and self.typing[-1] is False:
                break
        await asyncio.sleep(settle)
        return self.messages[before:]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_a_page_from_another_origin_cannot_connect(servers: Servers) -> None:
    async def attempt() -> None:
        client = Client()
        await client.connect(servers.rasa_url, origin="http://evil.example")

    with pytest.raises(socketio.exceptions.ConnectionError):
        run(attempt())


def test_the_widget_origin_talks_and_messages_carry_kind_and_progress(servers: Servers) -> None:
    async def talk() -> tuple[str, list[dict[str, Any]], list[dict[str, Any]], list[bool]]:
        client = Client()
        await client.connect(servers.rasa_url)
        session_id = await client.session()
        opening = await client.say("hello")
        first_question = await client.say("yes")
        await client.close()
        return session_id, opening, first_question, client.typing

    session_id, opening, first_question, typing = run(talk())
    assert len(session_id) == 32
    assert opening[-1]["text"] == TRIAL.texts["consent_question"]
    assert [b["payload"] for b in opening[-1]["quick_replies"]] == ["Yes", "No"]
    question = first_question[-1]
    assert question["kind"] == "question" and question["progress"]["number"] == 1
    assert TRIAL.questions["age"].text in question["text"]
    assert typing[0] is True and typing[-1] is False


def test_the_widget_passes_its_page_language_and_nothing_else(servers: Servers) -> None:
    zh = load_trial(None, "zh")

    async def talk(metadata: Any) -> list[dict[str, Any]]:
        client = Client()
        await client.connect(servers.rasa_url)
        await client.session()
        opening = await client.say("hi", metadata=metadata)
        await client.close()
        return opening

    assert run(talk({"language": "zh-CN"}))[-1]["text"] == zh.texts["consent_question"]
    for odd in ({"language": "zh; DROP TABLE"}, {"language": ["zh"]}, "zh", {"language": "x" * 500}):
        assert run(talk(odd))[-1]["text"] == TRIAL.texts["consent_question"], odd


def test_session_ids_are_checked_and_a_reload_keeps_the_conversation(servers: Servers) -> None:
    async def talk() -> tuple[str, str, str, list[dict[str, Any]]]:
        first = Client()
        await first.connect(servers.rasa_url)
        forged = await first.session("../../etc/passwd")
        session_id = await first.session(None)
        await first.say("hello")
        await first.say("yes")
        await first.close()
        # A reload: a new connection asking for the same session continues it.
        again = Client()
        await again.connect(servers.rasa_url)
        kept = await again.session(session_id)
        reply = await again.say("I'm 34")
        await again.close()
        return forged, session_id, kept, reply

    forged, session_id, kept, reply = run(talk())
    assert len(forged) == 32 and forged != "../../etc/passwd"
    assert kept == session_id
    assert TRIAL.questions["lupus_diagnosis"].text in reply[-1]["text"]


def test_switching_session_stops_messages_of_the_old_one(servers: Servers) -> None:
    async def talk() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        watcher, other = Client(), Client()
        await watcher.connect(servers.rasa_url)
        await other.connect(servers.rasa_url)
        old = await watcher.session(None)
        await watcher.session(None)  # switches to a new session
        await other.session(old)  # someone else (a second tab) goes on in the old one
        said = await other.say("hello")
        await asyncio.sleep(0.5)
        seen = list(watcher.messages)
        await watcher.close()
        await other.close()
        return said, seen

    said, seen = run(talk())
    assert said, "the old session still works for whoever is in it"
    assert seen == [], "the watcher left the old session's room"


def test_blank_and_oversized_messages_get_a_reply(servers: Servers) -> None:
    async def talk() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        client = Client()
        await client.connect(servers.rasa_url)
        await client.session()
        await client.say("hello")
        blank = await client.say("   ")
        huge = await client.say("no " * MAX_MESSAGE_CHARS)
        not_text = await client.say({"an": "object"})
        await client.close()
        return blank, huge, not_text

    blank, huge, not_text = run(talk())
    assert [m["text"] for m in blank] == [TRIAL.texts["blank_message"]]
    assert [m["text"] for m in huge] == [TRIAL.texts["too_long"]]
    assert [m["text"] for m in not_text] == [TRIAL.texts["blank_message"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status"),
        ("GET", "/version"),
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/model/parse"),
        ("POST", "/conversations/someone/messages"),
        ("PUT", "/model"),
    ],
)
def test_rasa_http_api_is_off(servers: Servers, method: str, path: str) -> None:
    request = urllib.request.Request(
        f"{servers.rasa_url}{path}", data=b"{}" if method != "GET" else None, method=method
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code in (404, 405)


def test_no_cors_header_invites_another_site_to_the_rest_channel(servers: Servers) -> None:
    request = urllib.request.Request(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        data=b'{"sender": "cors-probe", "message": "hello"}',
        headers={"Content-Type": "application/json", "Origin": "http://evil.example", **REST_AUTH},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get("Access-Control-Allow-Origin") is None
    preflight = urllib.request.Request(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(preflight, timeout=10) as response:
            assert response.headers.get("Access-Control-Allow-Origin") is None
    except urllib.error.HTTPError as refused:
        assert refused.headers.get("Access-Control-Allow-Origin") is None
