"""WeChat Official Account: the channel's parts, then whole screenings through the real servers.

The end-to-end tests post signed (and in safe mode encrypted) XML to the webhook, as WeChat does;
a stand-in of WeChat's API on loopback hands out access tokens and records customer-service
messages. Signatures and encryption in the tests come from tests/wechat_standin.py (wechatpy's
``WeChatCrypto`` and the documented SHA-1), never from the channel's own code.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import re
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.request import Request, RequestParameters

from bot.session import messages
from bot.storage.opt_outs import OptOuts
from bot.storage.records import Records
from bot.trial.model import load_trial
from channels.text import LocalState, joined, utf8_size
from channels.wechat import MAX_BODY, TEXT_LIMIT, Refused, WeChatChannel, fields, read_capped, text_reply
from tests.servers import Servers, running_servers
from tests.test_end_to_end import Answering
from tests.test_twilio import ZH_SCREEN_ANSWERS, Bot
from tests.wechat_standin import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    WeChatStandIn,
    message_xml,
    opened_reply,
    running_standin,
    sign,
    signed_post,
)

TRIAL, ZH = load_trial(), load_trial(None, "zh")
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz0"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><ToUserName>gh</ToUserName>'
    f"<FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>&c;</Content></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>"
)


def hashed_id(openid: str) -> str:
    return "wechat-" + hmac.new(TOKEN.encode(), openid.encode(), hashlib.sha256).hexdigest()[:32]


# ------------------------------------------------------------------ joining a turn's messages
@given(st.lists(st.text(alphabet=st.sampled_from("狼疮肾炎是的。，abc .\n!?"), max_size=900), max_size=8))
def test_a_turn_is_joined_into_few_messages_none_too_long(texts: list[str]) -> None:
    pieces = joined(texts, 300, utf8_size)
    assert all(0 < utf8_size(p) <= 300 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join("".join(texts).split())  # nothing lost, in order
    # As few as fit: no two neighbours would fit together.
    assert all(utf8_size(f"{a}\n\n{b}") > 300 for a, b in itertools.pairwise(pieces))


def test_short_messages_are_joined_by_a_blank_line() -> None:
    assert joined(["Hello.", "How old are you?"], 2048, utf8_size) == ["Hello.\n\nHow old are you?"]
    assert joined([], 2048, utf8_size) == []


# ------------------------------------------------------------------ parsing and replies
@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><a>", "not xml", ""])
def test_a_document_type_an_entity_or_broken_xml_is_refused(xml: str) -> None:
    with pytest.raises(Refused) as refused:
        fields(xml)
    assert refused.value.status == 400


def test_a_reply_with_cdata_end_in_it_survives() -> None:
    reply = text_reply(OPENID, "gh_1", "a ]]> b <c>")
    assert fields(reply)["Content"] == "a ]]> b <c>" and opened_reply(reply) == "a ]]> b <c>"


class Chunks:
    """A body arriving in chunks, as Sanic streams it; counts the chunks read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks, self.reads = list(chunks), 0

    async def read(self) -> bytes | None:
        self.reads += 1
        return self.chunks.pop(0) if self.chunks else None


@dataclass
class Streamed:
    stream: Chunks
    headers: dict[str, str]


@pytest.mark.parametrize(
    ("chunks", "headers", "outcome"),
    [
        ([b"a" * 1000] * 3, {}, b"a" * 3000),
        ([b"a" * 1000] * 40, {}, 413),  # no length said, and it keeps coming: stopped at the cap
        ([b"a" * 10], {"content-length": str(MAX_BODY + 1)}, 413),  # refused on its word, unread
        ([b"a" * 10], {"content-length": "12x"}, 413),
    ],
)
def test_a_body_is_read_only_up_to_the_cap(chunks: list[bytes], headers: dict[str, str], outcome: Any) -> None:
    request = Streamed(Chunks(chunks), headers)
    try:
        assert asyncio.run(read_capped(cast(Request, request), MAX_BODY)) == outcome
    except Refused as refused:
        assert refused.status == outcome
    assert request.stream.reads <= MAX_BODY // 1000 + 2  # nothing read far beyond the cap
    if "content-length" in headers:
        assert request.stream.reads == 0


# ------------------------------------------------------------------ the channel without servers
@pytest.fixture
def standin() -> Iterator[WeChatStandIn]:
    with running_standin() as running:
        yield running


def make_channel(tmp_path: Path, url: str, deadline: float = 4.5, token: str | None = TOKEN) -> WeChatChannel:
    state = LocalState(opt_outs=OptOuts(tmp_path / "screenings.db"))
    return WeChatChannel(token, APP_ID, APP_SECRET, AES_KEY, api_url=url, state=state, deadline=deadline)


def as_sanic(query: str | dict[str, str]) -> RequestParameters:
    """Query arguments as Sanic gives them: a list of values for each name."""
    pairs = parse_qsl(query) if isinstance(query, str) else query.items()
    return RequestParameters({k: [v] for k, v in pairs})


def post(channel: WeChatChannel, bot: Any, xml: str, safe: bool = False, age: float = 0) -> str:
    """Check and handle one post as the webhook does; the passive reply's text (or the refusal)."""
    query, body = signed_post(xml, safe, age=age)
    args = as_sanic(query)

    async def run() -> str:
        try:
            channel.check(args)
            reply = await channel.receive(args, body, bot)
        except Refused as refused:
            return f"refused {refused.status}"
        await channel.drain()
        await channel.http().close()
        return reply if reply == "success" else opened_reply(reply)

    return asyncio.run(run())


@dataclass
class SlowBot(Bot):
    """Says its first reply at once and the others after ``delay`` seconds."""

    delay: float = 0.3

    async def __call__(self, message: UserMessage) -> None:
        self.given.append(message)
        for n, reply in enumerate(self.replies):
            if n == 1:
                await asyncio.sleep(self.delay)
            await message.output_channel.send_response(message.sender_id, dict(reply))


def test_a_message_reaches_rasa_under_a_hashed_id_in_chinese_and_is_answered_in_the_reply(
    tmp_path: Path, standin: WeChatStandIn
) -> None:
    channel = make_channel(tmp_path, standin.url)
    bot = Bot([{"text": "您好！"}, {"text": "您多大年纪？"}])
    assert post(channel, bot, message_xml(OPENID, "你好", 1001)) == "您好！\n\n您多大年纪？"
    (given,) = bot.given
    assert (given.text, given.sender_id, given.input_channel) == ("你好", hashed_id(OPENID), "wechat")
    assert given.metadata == {"language": "zh"} and OPENID not in given.sender_id
    assert standin.sent == []  # it all fitted in the passive reply


@pytest.mark.parametrize(
    "change",
    [{"signature": None}, {"signature": "0" * 40}, {"age": 400}, {"age": -400}, {"nonce": "other"}],
    ids=["unsigned", "wrong", "stale", "future", "another-nonce"],
)
def test_a_request_not_signed_by_wechat_just_now_is_refused(tmp_path: Path, change: dict[str, Any]) -> None:
    channel = make_channel(tmp_path, "http://127.0.0.1:9")
    query, _ = signed_post(message_xml(OPENID, "hi", 1))
    args: dict[str, str | None] = {**dict(parse_qsl(query)), **{k: v for k, v in change.items() if k != "age"}}
    if "age" in change:  # signed at another time, now: only its age is wrong
        timestamp = str(int(time.time() - change["age"]))
        args |= {"timestamp": timestamp, "signature": sign(TOKEN, timestamp, str(args["nonce"]))}
    with pytest.raises(Refused) as refused:
        channel.check(as_sanic({k: v for k, v in args.items() if v is not None}))
    assert refused.value.status == 403


def test_without_a_token_every_request_is_refused_with_503(tmp_path: Path) -> None:
    bot = Bot()
    assert post(make_channel(tmp_path, "http://127.0.0.1:9", token=None), bot, message_xml(OPENID, "hi", 1)) == (
        "refused 503"
    )
    assert bot.given == []


def test_safe_mode_decrypts_the_message_and_encrypts_the_reply(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url)
    bot = Bot([{"text": "您多大年纪？"}])
    assert post(channel, bot, message_xml(OPENID, "我34岁", 1002), safe=True) == "您多大年纪？"
    assert bot.given[0].text == "我34岁"
    # A wrong msg_signature, or safe mode with no AES key, is refused.
    query, body = signed_post(message_xml(OPENID, "x", 1003), safe=True)
    with pytest.raises(Refused) as refused:
        asyncio.run(channel.receive(as_sanic({**dict(parse_qsl(query)), "msg_signature": "0" * 40}), body, bot))
    assert refused.value.status == 403
    plain_only = WeChatChannel(TOKEN, APP_ID, APP_SECRET, None, state=LocalState())
    with pytest.raises(Refused) as refused:
        asyncio.run(plain_only.receive(as_sanic(query), body, bot))
    assert refused.value.status == 503 and len(bot.given) == 1


def test_a_retried_message_is_answered_once_with_the_same_reply(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url)
    bot = Bot([{"text": "您多大年纪？"}])
    xml = message_xml(OPENID, "你好", 1004)
    assert [post(channel, bot, xml) for _ in range(3)] == ["您多大年纪？"] * 3
    assert len(bot.given) == 1
    post(channel, bot, message_xml(OPENID, "你好", 1005))  # another message id: a new message
    assert len(bot.given) == 2


def test_a_turn_longer_than_the_deadline_sends_the_rest_by_customer_service_message(
    tmp_path: Path, standin: WeChatStandIn
) -> None:
    channel = make_channel(tmp_path, standin.url, deadline=0.1)
    bot = SlowBot([{"text": "第一条。"}, {"text": "第二条。"}, {"text": "第三条。"}], delay=0.4)
    assert post(channel, bot, message_xml(OPENID, "你好", 1006)) == "第一条。"
    assert standin.to(OPENID) == ["第二条。\n\n第三条。"]  # the late ones joined into one
    assert "第二条".encode() in standin.sent[0].raw  # UTF-8, not \u escapes
    assert standin.tokens == 1


def test_nothing_by_the_deadline_gives_an_empty_reply_and_everything_later(
    tmp_path: Path, standin: WeChatStandIn
) -> None:
    channel = make_channel(tmp_path, standin.url, deadline=0.1)

    async def slow(message: UserMessage) -> None:
        await asyncio.sleep(0.3)
        await message.output_channel.send_response(message.sender_id, {"text": "您多大年纪？"})

    assert post(channel, slow, message_xml(OPENID, "你好", 1007)) == "success"
    assert standin.to(OPENID) == ["您多大年纪？"]


def test_a_long_turn_fills_the_reply_then_at_most_five_messages_none_over_2048_bytes(
    tmp_path: Path, standin: WeChatStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    channel = make_channel(tmp_path, standin.url)
    long = "这是很长的一句话，用来测试分段。" * 400  # about 19,000 bytes
    reply = post(channel, Bot([{"text": long}]), message_xml(OPENID, "你好", 1008))
    assert utf8_size(reply) <= TEXT_LIMIT
    sent = standin.to(OPENID)
    assert len(sent) == 5 and all(utf8_size(s) <= TEXT_LIMIT for s in sent)
    assert long.startswith(reply + "".join(sent))  # in order
    assert "allowance is used up" in caplog.text


def test_an_expired_access_token_is_fetched_again_once(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url, deadline=0.05)
    bot = SlowBot([{"text": "一"}, {"text": "二"}], delay=0.2)
    post(channel, bot, message_xml(OPENID, "你好", 1009))
    post(channel, bot, message_xml(OPENID, "你好", 1010))
    assert standin.tokens == 1 and standin.to(OPENID) == ["二", "二"]  # the token was kept
    standin.expire_next = True
    post(channel, bot, message_xml(OPENID, "你好", 1011))
    assert standin.tokens == 2 and standin.to(OPENID) == ["二", "二", "二"]


def test_of_two_sends_refused_at_once_only_one_fetches_a_new_token(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url)
    sender = hashed_id(OPENID)

    async def run() -> list[bool]:
        channel._allow(sender, 5, 60)
        assert await channel.send_message(sender, OPENID, "一")  # fetches ACCESS_TOKEN_1
        standin.tokens += 1  # WeChat ends it: only a token it has not handed out yet is valid now
        sent = await asyncio.gather(*(channel.send_message(sender, OPENID, t) for t in ("二", "三")))
        await channel.http().close()
        return list(sent)

    assert asyncio.run(run()) == [True, True]
    assert standin.tokens == 3 and sorted(standin.to(OPENID)) == ["一", "三", "二"]  # one new token for both


def test_customer_service_messages_keep_to_the_window_and_the_allowance(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url)
    sender = hashed_id(OPENID)

    async def run() -> list[bool]:
        channel._allow(sender, 3, 0.2)  # as after following: 3, here within 0.2 s
        sent = [await channel.send_message(sender, OPENID, str(n)) for n in range(4)]
        channel._allow(sender, 5, 0.2)
        await asyncio.sleep(0.3)  # the window has closed
        sent.append(await channel.send_message(sender, OPENID, "late"))
        await channel.http().close()
        return sent

    assert asyncio.run(run()) == [True, True, True, False, False]
    assert standin.to(OPENID) == ["0", "1", "2"]


def test_an_event_posted_again_is_handled_once(tmp_path: Path, standin: WeChatStandIn) -> None:
    bot = Bot()
    unfollow = message_xml(OPENID, MsgType="event", Event="unsubscribe")  # one CreateTime: WeChat's retry
    channel = make_channel(tmp_path, standin.url)
    assert [post(channel, bot, unfollow) for _ in range(3)] == ["success"] * 3
    assert [m.text for m in bot.given] == ["/stop"]


def test_following_greets_in_chinese_and_unfollowing_stops_the_screen_silently(
    tmp_path: Path, standin: WeChatStandIn
) -> None:
    channel = make_channel(tmp_path, standin.url)
    bot = Bot([{"text": "好的。"}])
    welcome = ZH.texts["wechat_welcome"].format(short_name=ZH.info["short_name"])
    assert post(channel, bot, message_xml(OPENID, MsgType="event", Event="subscribe")) == welcome
    assert bot.given == []
    assert post(channel, bot, message_xml(OPENID, MsgType="event", Event="unsubscribe")) == "success"
    (stop,) = bot.given
    assert stop.text == "/stop" and isinstance(stop.output_channel, CollectingOutputChannel)
    assert post(channel, bot, message_xml(OPENID, "你好", 1012)) == "success"  # nothing more is sent
    assert len(bot.given) == 1 and standin.sent == []
    time.sleep(1)  # another CreateTime: a new event
    assert post(channel, bot, message_xml(OPENID, MsgType="event", Event="subscribe")) == welcome
    assert post(channel, bot, message_xml(OPENID, "你好", 1013)) == "好的。"


def test_an_unfollow_outlives_a_restart(tmp_path: Path, standin: WeChatStandIn) -> None:
    bot = Bot([{"text": "好的。"}])
    post(make_channel(tmp_path, standin.url), bot, message_xml(OPENID, MsgType="event", Event="unsubscribe"))
    restarted = make_channel(tmp_path, standin.url)  # a new process: the same records database
    assert post(restarted, bot, message_xml(OPENID, "你好", 1030)) == "success"
    assert [m.text for m in bot.given] == ["/stop"]


@pytest.mark.parametrize("kind", ["voice", "image", "location", "video", "shortvideo", "link", "file"])
def test_anything_but_typed_words_gets_a_kind_please_type(tmp_path: Path, kind: str) -> None:
    bot = Bot([{"text": "x"}])
    channel = make_channel(tmp_path, "http://127.0.0.1:9")
    assert post(channel, bot, message_xml(OPENID, MsgType=kind)) == ZH.texts["wechat_not_text"]
    assert bot.given == []


def test_an_english_conversation_gets_english_words(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, "http://127.0.0.1:9")
    bot = Bot([{"text": "OK", "language": "en"}])
    post(channel, bot, message_xml(OPENID, "English", 1014))
    assert bot.given[0].metadata == {"language": "en"}
    assert post(channel, bot, message_xml(OPENID, MsgType="voice")) == TRIAL.texts["wechat_not_text"]
    assert post(channel, bot, message_xml(OPENID, "help", 1015)).startswith(TRIAL.texts["wechat_help"][:20])


def test_numbered_options_and_keywords_work_as_on_sms(tmp_path: Path, standin: WeChatStandIn) -> None:
    channel = make_channel(tmp_path, standin.url)
    yes_no = [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]
    asked = post(channel, Bot([{"text": "您得过癌症吗？", "buttons": yes_no}]), message_xml(OPENID, "你好", 1016))
    assert asked == "您得过癌症吗？\n" + ZH.texts["text_options"].format(answer="1表示“是”, 2表示“否”")
    bot = Bot([{"text": "好"}])
    post(channel, bot, message_xml(OPENID, "2", 1017))
    assert bot.given[0].text == "否"
    assert post(channel, bot, message_xml(OPENID, "退订", 1018)) == ZH.texts["text_stopped"]
    assert post(channel, bot, message_xml(OPENID, "你好", 1019)) == "success"
    assert post(channel, bot, message_xml(OPENID, "订阅", 1020)) == ZH.texts["text_started"]


# ------------------------------------------------------------------ through the real servers
@dataclass
class WeChat:
    servers: Servers
    standin: WeChatStandIn
    webhook: str

    def post(self, query: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(
            f"{self.webhook}?{query}", data=body, headers={"Content-Type": "text/xml", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return int(answer.status), answer.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), ""


@dataclass
class Follower(Answering):
    wechat: WeChat
    openid: str
    safe_every: int = 3  # every third message in safe mode, as an account switching modes would
    last: list[str] = field(default_factory=list)
    posted: int = 0

    def send(self, *lines: str) -> list[str]:
        for line in lines:
            self.posted += 1
            self.last = self.post(message_xml(self.openid, line, 50_000 + self.posted + hash(self.openid) % 10_000))
        return self.last

    def post(self, xml: str) -> list[str]:
        before = len(self.wechat.standin.sent)
        status, reply = self.wechat.post(*signed_post(xml, safe=self.posted % self.safe_every == 0))
        assert status == 200
        texts = [opened_reply(reply)] if reply != "success" else []
        return texts + self._later(before)

    def _later(self, before: int) -> list[str]:
        """Customer-service messages of this turn: those that arrive until none has for a while."""
        seen, quiet_since = before, time.monotonic()
        while time.monotonic() - quiet_since < 0.4:
            time.sleep(0.05)
            if len(self.wechat.standin.sent) != seen:
                seen, quiet_since = len(self.wechat.standin.sent), time.monotonic()
        return [s.content for s in self.wechat.standin.sent[before:] if s.to == self.openid]


@pytest.fixture(scope="module")
def wechat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChat]:
    with running_standin() as standin:
        env = {
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_APP_SECRET": APP_SECRET,
            "WECHAT_AES_KEY": AES_KEY,
            "WECHAT_API_URL": standin.url,
        }
        with running_servers(tmp_path_factory.mktemp("wechat"), env=env) as servers:
            yield WeChat(servers, standin, f"{servers.rasa_url}/webhooks/wechat/webhook")


@pytest.mark.servers
def test_a_complete_screening_on_wechat_in_chinese(wechat: WeChat) -> None:
    follower = Follower(wechat, "oScreeningFollower000000001")
    welcome = ZH.texts["wechat_welcome"].format(short_name=ZH.info["short_name"])
    assert follower.post(message_xml(follower.openid, MsgType="event", Event="subscribe")) == [welcome]
    intro, storage, consent = (m["text"] for m in messages.intro(ZH))
    opening = follower.send("你好")
    assert "\n\n".join(opening).startswith(f"{intro}\n\n{storage}\n\n{consent}\n")
    assert ZH.questions["age"].text in follower.send("1")[-1]
    follower.send(ZH_SCREEN_ANSWERS["age"])
    assert ZH.questions["lupus_diagnosis"].text in follower.last[-1]
    recap = follower.answer_until_done(ZH_SCREEN_ANSWERS, trial=ZH)
    assert ZH.texts["recap_question"] in recap[-1] and "1表示" in recap[-1]
    result = follower.send("1")
    assert len(result) <= 3  # the passive reply and at most two customer-service messages (docs/wechat.md)
    said = "\n".join(result)
    assert ZH.outcomes["may_fit"] in said and all(utf8_size(t) <= TEXT_LIMIT for t in result)
    reference = re.search(r"S-[A-Z0-9]{10}", said)
    assert reference
    saved = {r["reference"]: r for r in Records(wechat.servers.db).all()}[reference.group(0)]
    assert (saved["channel"], saved["outcome"], saved["language"], saved["status"]) == (
        "wechat",
        "may_fit",
        "zh",
        "completed",
    )
    assert saved["answers"]["could_have_children"] == "no"


@pytest.mark.servers
def test_a_retried_post_moves_the_screen_once_and_gets_the_same_reply(wechat: WeChat) -> None:
    follower = Follower(wechat, "oRetryingFollower0000000005")
    follower.send("你好", "1")
    age = message_xml(follower.openid, "我今年52岁", 60_001)
    first, retry = follower.post(age), follower.post(age)
    assert retry == first and ZH.questions["lupus_diagnosis"].text in first[-1]
    follower.send("1")  # answered once: the next question is the kidneys, not the lupus again
    assert ZH.questions["kidney_involvement"].text in follower.last[-1]


@pytest.mark.servers
def test_unfollowing_mid_screen_closes_the_record_as_stopped(wechat: WeChat) -> None:
    follower = Follower(wechat, "oStoppingFollower0000000002")
    follower.send("你好", "1", "我今年47岁", "1")
    assert ZH.questions["kidney_involvement"].text in follower.last[-1]
    assert follower.post(message_xml(follower.openid, MsgType="event", Event="unsubscribe")) == []
    (saved,) = [r for r in Records(wechat.servers.db).all() if r["answers"]["age"].get("min_years") == 47]
    assert (saved["channel"], saved["status"]) == ("wechat", "stopped")
    assert follower.send("你好") == []


@pytest.mark.servers
@pytest.mark.parametrize(
    ("change", "status"),
    [("unsigned", 403), ("wrong", 403), ("stale", 403), ("oversized", 413), ("entities", 400), ("external", 400)],
)
def test_the_webhook_refuses_what_wechat_would_not_send(wechat: WeChat, change: str, status: int) -> None:
    before = len(wechat.standin.sent)
    openid = "oRefusedFollower00000000003"
    query, body = signed_post(message_xml(openid, "你好", 7), age=400 if change == "stale" else 0)
    if change == "unsigned":
        query = "timestamp=1&nonce=2"
    elif change == "wrong":
        query = query.replace("signature=", "signature=0")
    elif change == "oversized":
        body = message_xml(openid, "字" * 20_000, 8).encode()
    elif change in ("entities", "external"):
        query, body = signed_post(BILLION_LAUGHS if change == "entities" else EXTERNAL_ENTITY)
    assert wechat.post(query, body)[0] == status
    assert len(wechat.standin.sent) == before
    ok, reply = wechat.post(*signed_post(message_xml(openid, "你好", 9)))
    assert ok == 200 and opened_reply(reply)  # the server carries on


@pytest.mark.servers
def test_the_url_check_echoes_only_a_signed_request(wechat: WeChat) -> None:
    query, _ = signed_post("")
    with urllib.request.urlopen(f"{wechat.webhook}?{query}&echostr=hello123", timeout=30) as answer:
        assert answer.read() == b"hello123"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{wechat.webhook}?timestamp=1&nonce=2&signature=x&echostr=hello123", timeout=30)
    assert refused.value.code == 403


@pytest.mark.servers
def test_the_openid_is_neither_the_sender_id_nor_stored(wechat: WeChat) -> None:
    openid = "oPrivateFollower00000000004"
    Follower(wechat, openid).send("你好", "1", "我今年34岁")
    with sqlite3.connect(wechat.servers.conversations_db) as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert hashed_id(openid) in senders and openid not in senders
    workdir = Path(wechat.servers.db).parent
    for path in [*workdir.glob("*.db*"), *workdir.glob("*.log")]:
        assert b"Follower0000" not in path.read_bytes(), path.name
