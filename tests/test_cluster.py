"""Two Rasa servers of one deployment (issue 21): whatever server a message reaches, the screen goes on.

The servers share Rasa's lock store and the text channels' state (Redis), and the conversations and
records: as on one machine, in SQLite files in WAL mode; as on several, the conversations in
PostgreSQL and the records through the records service, each Rasa server with its own action server
(tests/cluster.py). haproxy deals requests between them, as people reach them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
import websockets.client

from bot.storage.conversations import engine_for
from bot.storage.records import Records
from bot.trial.model import load_trial
from channels.rest import SENDER_PREFIX
from tests.cluster import running_balancer, running_cluster, running_postgres, running_redis
from tests.servers import Servers
from tests.test_end_to_end import FIT, RECAP_OK, Answering, reference_in, says_outcome
from tests.test_twilio import ACCOUNT_SID, AUTH_TOKEN, NUMBER, SCREEN_ANSWERS, TEXTS, Phone, Twilio, sign
from tests.twilio_standin import TwilioStandIn, running_standin

pytestmark = [pytest.mark.cluster, pytest.mark.servers]
TRIAL = load_trial()


@dataclass
class Cluster:
    servers: list[Servers]
    standin: TwilioStandIn
    conversations: str | Path  # a SQLite file, or PostgreSQL's URL
    balancer: str  # haproxy in front of both servers
    workdir: Path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Conversations in SQLite (servers on one machine) or in PostgreSQL (servers on several)."""
    workdir = tmp_path_factory.mktemp("cluster")
    with contextlib.ExitStack() as running:
        url = running.enter_context(running_redis(workdir))
        standin = running.enter_context(running_standin(ACCOUNT_SID, AUTH_TOKEN))
        postgres = running.enter_context(running_postgres()) if request.param == "postgresql" else None
        env = {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_NUMBER": NUMBER,
            "TWILIO_API_URL": standin.url,
        }
        servers = running.enter_context(running_cluster(workdir, url, env, postgres))
        balancer = running.enter_context(running_balancer(workdir, servers))
        yield Cluster(servers, standin, postgres or servers[0].conversations_db, balancer, workdir)


@dataclass
class Alternating(Answering):
    """A person whose messages reach the two servers in turn, as a load balancer deals them."""

    servers: list[Servers]
    sender: str
    last: list[str] = field(default_factory=list)
    sent: int = 0

    def send(self, *lines: str) -> list[str]:
        for line in lines:
            self.last = self.servers[self.sent % len(self.servers)].texts(self.sender, line)
            self.sent += 1
        return self.last


def turns(cluster: Cluster, sender: str) -> list[tuple[str, float]]:
    """The conversation's stored events reduced to ("user", when) and ("listen", when): a message
    taken, and a turn's end."""
    engine = engine_for(cluster.conversations)
    assert engine is not None
    with engine.connect() as db:
        query = "SELECT type_name, action_name, timestamp FROM events WHERE sender_id = :sender ORDER BY id"
        rows = list(db.execute(sa.text(query), {"sender": SENDER_PREFIX + sender}))  # the REST namespace
    return [("user" if t == "user" else "listen", when) for t, a, when in rows if t == "user" or a == "action_listen"]


def test_a_screening_dealt_between_two_servers_completes_with_the_right_record(cluster: Cluster) -> None:
    person = Alternating(cluster.servers, "cluster-alternating")
    person.send("hello", "yes")
    last = person.answer_until_done(FIT)
    last = person.send(RECAP_OK)
    assert says_outcome(last, "may_fit") and person.sent > 20
    saved = Records(cluster.servers[0].db).get(reference_in(last))
    assert saved is not None and (saved["status"], saved["outcome"]) == ("completed", "may_fit")
    assert saved["answers"]["age"]["min_years"] == 34 and saved["answers"]["willing"] == "yes"


def test_two_messages_at_once_to_two_servers_are_handled_one_after_the_other(cluster: Cluster) -> None:
    sender = "cluster-at-once"
    Alternating(cluster.servers, sender).send("hello", "yes")
    questions = ["where is the study done?", "who runs the study?"]
    for _ in range(10):
        start = threading.Barrier(2)

        def say(servers: Servers, text: str, start: threading.Barrier = start) -> None:
            start.wait()
            servers.texts(sender, text)

        threads = [threading.Thread(target=say, args=pair) for pair in zip(cluster.servers, questions, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    stored = turns(cluster, sender)
    assert [kind for kind, _ in stored].count("user") == 22  # every message kept
    # Each message taken only once the turn before it had ended: no two handled at once.
    for (kind, when), (next_kind, next_when) in itertools.pairwise(stored):
        if next_kind == "user":
            assert kind == "listen" and next_when >= when


@dataclass
class DealtTwilio(Twilio):
    """Twilio posting to the two servers in turn, each post signed for the URL it goes to."""

    webhooks: list[str] = field(default_factory=list)
    posts: int = 0

    def post(self, params: dict[str, str], signature: str | None = "sign", url: str | None = None) -> int:
        webhook = self.webhooks[self.posts % len(self.webhooks)]
        self.posts += 1
        request = urllib.request.Request(
            webhook,
            data=urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sign(params, webhook)},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


def test_an_sms_screening_over_both_servers_keeps_its_numbered_options_and_opt_out(cluster: Cluster) -> None:
    webhooks = [f"{s.rasa_url}/webhooks/twilio/webhook" for s in cluster.servers]
    twilio = DealtTwilio(cluster.servers[0], cluster.standin, webhooks[0], webhooks)
    phone = Phone(twilio, "+15557770001")
    phone.send("hello")
    assert phone.last[-1].endswith("Reply 1 for Yes, 2 for No.")  # the consent question, from one server
    phone.send("1")  # "1" reaches the other server: it is "Yes", the options were shared
    assert TEXTS["consent_yes"] in phone.last[0]
    phone.send(SCREEN_ANSWERS["age"], "1", "1")  # age, then lupus and kidneys by their option numbers
    assert "protein" in phone.last[-1].lower()
    assert phone.send("STOP") == [TEXTS["text_stopped"]]
    assert phone.send("hello") == [] and phone.send("1") == []  # silenced on both servers
    assert phone.send("START") == [TEXTS["text_started"]]
    saved = [r for r in Records(cluster.servers[0].db).all() if r["channel"] == "twilio"]
    assert len(saved) == 1 and saved[0]["status"] == "stopped" and saved[0]["answers"]["kidney_involvement"] == "yes"


def test_when_one_server_dies_mid_screen_the_other_carries_on_and_no_answer_is_lost(cluster: Cluster) -> None:
    first, second = cluster.servers
    person = Alternating([first, second], "cluster-failover")
    person.send("hello", "yes", FIT["age"], FIT["lupus_diagnosis"])
    first.stop_rasa()
    try:
        person.servers = [second]
        last = person.answer_until_done(FIT)
        last = person.send(RECAP_OK)
        assert says_outcome(last, "may_fit")
        saved = Records(second.db).get(reference_in(last))
        assert saved is not None and saved["answers"]["age"]["min_years"] == 34
        assert saved["answers"]["lupus_diagnosis"] == "yes"  # answered on the server that died
    finally:
        first.start_rasa()


def test_through_the_load_balancer_a_screening_survives_a_server_leaving(cluster: Cluster) -> None:
    """What people reach: haproxy in front of both servers deals their requests to each, and when one
    server stops mid-screen, leaves it out; the screen goes on with every answer."""
    log = cluster.workdir / "haproxy.log"
    names = ("rasa1", "rasa2")

    def served(name: str) -> int:
        return log.read_text(encoding="utf-8").count(f"screener rasa/{name} ")  # a request's log line

    def both_in_service() -> bool:
        before = {name: served(name) for name in names}
        for _ in names:
            urllib.request.urlopen(cluster.balancer, timeout=10).close()
        return all(served(name) > before[name] for name in names)

    # A server restarted by an earlier test is taken back once its health checks pass again.
    deadline = time.monotonic() + 30
    while not both_in_service():
        assert time.monotonic() < deadline, "haproxy never dealt requests to both servers"
        time.sleep(0.25)
    before = {name: served(name) for name in names}
    via = copy.copy(cluster.servers[0])
    via.rasa_url = cluster.balancer
    person = Alternating([via], "cluster-balanced")
    person.send("hello", "yes", FIT["age"], FIT["lupus_diagnosis"])
    assert all(served(name) > before[name] for name in before)  # both servers took the person's requests
    cluster.servers[1].stop_rasa()
    try:
        last = person.answer_until_done(FIT)
        last = person.send(RECAP_OK)
        assert says_outcome(last, "may_fit")
        saved = Records(cluster.servers[0].db).get(reference_in(last))
        assert saved is not None and (saved["status"], saved["outcome"]) == ("completed", "may_fit")
        assert saved["answers"]["lupus_diagnosis"] == "yes" and saved["answers"]["age"]["min_years"] == 34
    finally:
        cluster.servers[1].start_rasa()


async def widget_screen_start(url: str, origin: str) -> list[dict[str, object]]:
    """The widget's start, over the WebSocket transport alone, as the widget connects (socket.io's
    protocol by hand: this aiohttp's socket.io client cannot do the client WebSocket): a session,
    "hello" and "yes". Returns what the bot said."""
    said: list[dict[str, object]] = []
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.client.connect(ws_url, extra_headers={"Origin": origin}) as socket:

        async def event() -> list[object]:
            while True:
                packet = await asyncio.wait_for(socket.recv(), 30)
                if packet == "2":  # engine.io ping
                    await socket.send("3")
                elif isinstance(packet, str) and packet.startswith("42"):
                    return list(json.loads(packet[2:]))

        assert str(await socket.recv()).startswith("0")  # engine.io open
        await socket.send("40")
        assert str(await socket.recv()).startswith("40")  # socket.io connected
        await socket.send('42["session_request",{"session_id":null}]')
        assert (await event())[0] == "session_confirm"
        for text in ("hello", "yes"):
            await socket.send("42" + json.dumps(["user_uttered", {"message": text}]))
            while True:
                name, *data = await event()
                if name == "bot_uttered":
                    said.append(data[0])  # type: ignore[arg-type]
                if name == "bot_typing" and data[0] == {"typing": False}:
                    break
    return said


def test_the_widget_reaches_the_servers_through_the_load_balancer_over_websocket(cluster: Cluster) -> None:
    said = asyncio.run(widget_screen_start(cluster.balancer, "http://127.0.0.1:8080"))
    assert any(TRIAL.questions["age"].text in str(m.get("text")) for m in said)
