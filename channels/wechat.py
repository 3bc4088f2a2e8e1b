"""A WeChat Official Account (公众号) server: the screen for people who message the hospital's account.

WeChat posts each message (XML) to /webhooks/wechat/webhook and expects the reply in the HTTP
response within 5 seconds; otherwise it drops the request and retries it, three times in all.
So this channel:
- checks every request before it reads the body: a token must be configured (else 503), the body
  is at most ``MAX_BODY`` bytes (else 413), the signature is the SHA-1 of the sorted token,
  timestamp and nonce (else 403), and the timestamp is at most 5 minutes old (else 403). In safe
  mode (``encrypt_type=aes``) the ``msg_signature`` over the encrypted message is checked too and
  the message decrypted (wechatpy's ``WeChatCrypto``), and the reply is encrypted;
- parses XML with defusedxml: a document type or an entity is refused (400);
- collects the bot's messages for up to ``REPLY_DEADLINE_S`` (4.5 s) and answers with them, joined
  into one message, as the passive reply; what does not fit, and anything the bot says later, goes
  by the customer-service message API, within its limits (48 hours after the person's message,
  5 messages each, 2,048 bytes a message), joined into as few messages as fit;
- answers a retried message once: by ``MsgId`` (events by sender and ``CreateTime``), a retry gets
  the reply already made, or nothing while it is still being made;
- keeps the API's access token (valid 2 hours) in the channel state, refreshed before it expires
  and when WeChat says it is no longer valid;
- greets a new follower in Chinese, stops the screen of someone who unfollows (and sends nothing
  more), and asks for typed words when a voice message, a picture or a location comes.

What every text channel does (numbered options, part headings, keywords, opt-outs, the keyed hash
of the openid as the Rasa sender id) is channels/text.py. Settings come from the environment only
(docs/wechat.md). wechatpy's HTTP client blocks, so the API is called with aiohttp here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

import aiohttp
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.settings import Settings
from channels import OnNewMessage, trial_choice
from channels.text import (
    LocalState,
    Person,
    TextChannel,
    TextOutput,
    TextState,
    joined,
    sender_id,
    text_state,
    utf8_size,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.weixin.qq.com"
MAX_BODY = 16 * 1024  # a text message is at most 2,048 bytes; its encrypted envelope about twice that
MAX_AGE_S = 300  # a request signed longer ago than this is refused (a replay)
REPLY_DEADLINE_S = 4.5  # WeChat waits 5 s for the passive reply
SEEN_S = 600  # how long a message id is remembered: WeChat's three tries take about 15 s
TEXT_LIMIT = 2048  # bytes of UTF-8 in one text message
# Customer-service messages (since June 2023): after a message from the person, 5 within 48 hours;
# after following the account, 3 within a minute.
AFTER_MESSAGE = (5, 48 * 3600)
AFTER_FOLLOWING = (3, 60)
TOKEN_MARGIN_S = 300  # refresh the access token this long before WeChat says it expires
EXPIRED_TOKEN = {40001, 40014, 42001}  # invalid or expired access token: fetch a new one and retry once
SEND_TIMEOUT_S = 10.0
SUCCESS = "success"  # the empty passive reply: WeChat shows nothing and does not retry


class Refused(Exception):
    """A request that is not processed, with the HTTP status that says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def signature(*parts: str) -> str:
    """WeChat's signature: the SHA-1 of its parts, sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def fields(xml: bytes | str) -> dict[str, str]:
    """The fields of a WeChat XML document (one level of tags), parsed with no DTD and no entity."""
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as error:
        raise Refused(400, f"not a WeChat message: {type(error).__name__}") from None
    return {child.tag: (child.text or "") for child in root}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to: str, from_: str, content: str) -> str:
    """A passive reply of one text message."""
    return (
        f"<xml><ToUserName>{_cdata(to)}</ToUserName><FromUserName>{_cdata(from_)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


@dataclass
class Turn:
    """The bot's messages to one post: those said before the deadline make the passive reply."""

    texts: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    closed: bool = False

    def add(self, text: str) -> None:
        (self.late if self.closed else self.texts).append(text)


class WeChatReply(TextOutput):
    """Collects the bot's messages to one post (``Turn``)."""

    def __init__(self, channel: WeChatChannel, turn: Turn) -> None:
        super().__init__(channel)
        self.turn = turn

    @classmethod
    def name(cls) -> str:
        return "wechat"

    async def put(self, person: Person, text: str) -> None:
        self.turn.add(text)


class WeChatChannel(TextChannel, InputChannel):
    """Webhook /webhooks/wechat/webhook: the Official Account's server URL."""

    help_text = "wechat_help"

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # credentials.yml holds no values: every setting and secret comes from the environment.
        env = os.environ
        channel = cls(
            env.get("WECHAT_TOKEN"),
            env.get("WECHAT_APP_ID"),
            env.get("WECHAT_APP_SECRET"),
            env.get("WECHAT_AES_KEY"),
            api_url=env.get("WECHAT_API_URL") or DEFAULT_API_URL,
            state=text_state(Settings.from_env()),
        )
        channel.trial_choice = trial_choice(credentials)
        return channel

    def __init__(
        self,
        token: str | None,
        app_id: str | None,
        app_secret: str | None,
        aes_key: str | None = None,
        api_url: str = DEFAULT_API_URL,
        state: TextState | None = None,
        deadline: float = REPLY_DEADLINE_S,
    ) -> None:
        self.token, self.app_id, self.app_secret = token, app_id, app_secret
        self.api_url = api_url.rstrip("/")
        self.deadline = deadline
        self.state = state if state is not None else LocalState()  # an empty LocalState is falsy
        self.crypto = WeChatCrypto(token, aes_key, app_id) if token and aes_key and app_id else None
        self._http: aiohttp.ClientSession | None = None
        self._token_lock: asyncio.Lock | None = None
        self._later: set[asyncio.Task[None]] = set()  # messages still to send after a reply
        if not token:
            logger.warning(
                "WECHAT_TOKEN is not set: the WeChat channel refuses every request, "
                "because it cannot check that they come from WeChat."
            )
        elif not (app_id and app_secret):
            logger.warning("WECHAT_APP_ID or WECHAT_APP_SECRET is not set: only passive replies can be sent.")

    def get_output_channel(self) -> OutputChannel:
        return WeChatReply(self, Turn(closed=True))

    def metadata(self, person: Person) -> dict[str, Any]:
        return {"language": person.language} if person.language else {}

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "not configured"})

        @webhook.route("/webhook", methods=["GET"])
        async def url_check(request: Request) -> HTTPResponse:
            # The console checks the URL once: a signed GET whose echostr must come back as it is.
            try:
                self.check(request.args)
            except Refused as refused:
                return response.text("", status=refused.status)
            return response.text(request.args.get("echostr") or "")

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def message(request: Request) -> HTTPResponse:
            try:
                self.check(request.args)
                body = await read_capped(request, MAX_BODY)
                reply = await self.receive(request.args, body, on_new_message)
            except Refused as refused:
                logger.warning("Refused a WeChat request: %s", refused)
                return response.text("", status=refused.status)
            return response.text(reply, content_type="application/xml" if reply != SUCCESS else "text/plain")

        @webhook.listener("before_server_stop")
        async def close(*_: Any) -> None:
            await self.drain()
            if self._http is not None:
                await self._http.close()

        return webhook

    # ------------------------------------------------------------------ checking a request
    def check(self, args: Any) -> None:
        """Refuse a request that WeChat did not sign just now (before its body is read)."""
        if not self.token:
            raise Refused(503, "no WECHAT_TOKEN")
        timestamp, nonce, signed = (args.get(k) or "" for k in ("timestamp", "nonce", "signature"))
        if not (signed and timestamp and nonce):
            raise Refused(403, "unsigned")
        if not hmac.compare_digest(signature(self.token, timestamp, nonce), signed):
            raise Refused(403, "wrong signature")
        if not timestamp.isdecimal() or abs(time.time() - int(timestamp)) > MAX_AGE_S:
            raise Refused(403, "stale timestamp")

    def opened(self, args: Any, body: bytes) -> tuple[dict[str, str], bool]:
        """The message's fields, decrypted in safe mode; and whether it was (the reply must be too)."""
        message = fields(body)
        if args.get("encrypt_type") != "aes":
            return message, False
        if self.crypto is None:
            raise Refused(503, "safe mode without WECHAT_AES_KEY and WECHAT_APP_ID")
        # Sanic's query arguments are lists: ``get`` gives the first value.
        encrypted, signed = message.get("Encrypt") or "", args.get("msg_signature") or ""
        timestamp, nonce = args.get("timestamp") or "", args.get("nonce") or ""
        if not (encrypted and hmac.compare_digest(signature(self.token or "", timestamp, nonce, encrypted), signed)):
            raise Refused(403, "wrong msg_signature")
        try:
            plain = self.crypto.decrypt_message({"Encrypt": encrypted}, signed, timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException, ValueError) as error:
            raise Refused(403, f"cannot decrypt: {type(error).__name__}") from None
        return fields(plain), True

    # ------------------------------------------------------------------ one post
    async def receive(self, args: Any, body: bytes, on_new_message: OnNewMessage) -> str:
        """Handle one checked post; the passive reply (XML, or ``SUCCESS`` for none)."""
        message, encrypted = self.opened(args, body)
        openid, account = message.get("FromUserName") or "", message.get("ToUserName") or ""
        if not openid:
            raise Refused(400, "no sender")
        kind, event = message.get("MsgType", ""), message.get("Event", "").lower()
        sender = sender_id("wechat", openid, self.token or "")
        key = "wechat:seen:" + (message.get("MsgId") or f"{sender}:{message.get('CreateTime')}:{event}")
        if not self.state.first_time(key, SEEN_S):
            return self.state.cached(key + ":reply") or SUCCESS  # a retry: the reply already made, once
        person = self.state.see(sender, openid, account)
        if person.language is None and "zh" in self.trial.languages:
            person.language = "zh"  # WeChat's people read Chinese first
            self.state.keep(sender, person)
        turn, pending = Turn(), None
        if kind == "event":
            await self._event(sender, person, event, turn, on_new_message)
        else:
            self._allow(sender, *AFTER_MESSAGE)
            pending = await self._message(sender, person, kind, message, turn, on_new_message)
        pieces = joined(turn.texts, TEXT_LIMIT, utf8_size)
        turn.closed = True
        reply = SUCCESS
        if pieces:
            reply = text_reply(openid, account, pieces[0])
            if encrypted and self.crypto is not None:
                reply = self.crypto.encrypt_message(reply, secrets.token_hex(8), str(int(time.time())))
        self.state.cache(key + ":reply", reply, SEEN_S)
        self._send_rest(sender, person, pieces[1:], turn, pending)
        return reply

    async def _message(
        self, sender: str, person: Person, kind: str, message: dict[str, str], turn: Turn, on_new_message: OnNewMessage
    ) -> asyncio.Future[None] | None:
        """Handle a message until the deadline; the handling, if it is still going on."""
        output = WeChatReply(self, turn)
        if kind != "text":  # a voice message, a picture, a location...: only typed words are read
            if not person.opted_out:
                await output.put(person, self.trial_in(person.language).texts["wechat_not_text"])
            return None
        handling = asyncio.ensure_future(
            self.take_text(sender, person, message.get("Content") or "", output, on_new_message, message.get("MsgId"))
        )
        done, _ = await asyncio.wait({handling}, timeout=self.deadline)
        return None if done else handling

    async def _event(self, sender: str, person: Person, event: str, turn: Turn, on_new_message: OnNewMessage) -> None:
        if event == "subscribe":  # following again means they want our messages
            self.state.opt_out(sender, person, False)
            trial = self.trial_in(person.language)
            turn.add(trial.texts["wechat_welcome"].format(short_name=trial.info["short_name"]))
            self._allow(sender, *AFTER_FOLLOWING)
        elif event == "unsubscribe":  # WeChat delivers nothing more; the screen closes as stopped
            await self.stop_screen(sender, on_new_message)
            self.state.opt_out(sender, person, True)
        # Menu clicks, scans, location reports: nothing to answer.

    # ------------------------------------------------------------------ later messages
    async def drain(self) -> None:
        """Wait until every message still to send has been sent (or given up)."""
        while self._later:
            await asyncio.gather(*self._later, return_exceptions=True)

    def _send_rest(
        self, sender: str, person: Person, rest: list[str], turn: Turn, pending: asyncio.Future[None] | None
    ) -> None:
        if not rest and pending is None:
            return
        task = asyncio.ensure_future(self._send_later(sender, person, rest, turn, pending))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send_later(
        self, sender: str, person: Person, rest: list[str], turn: Turn, pending: asyncio.Future[None] | None
    ) -> None:
        """What did not make the passive reply, through the customer-service API, in order."""
        if pending is not None:
            try:
                await pending
            except Exception:
                logger.exception("Handling a WeChat message failed")
        for piece in joined([*rest, *turn.late], TEXT_LIMIT, utf8_size):
            now = self.state.get(sender)
            if (now is not None and now.opted_out) or not await self.send_message(sender, person.address, piece):
                break  # they unfollowed or opted out meanwhile, or WeChat took no more

    def _allow(self, sender: str, count: int, seconds: float) -> None:
        """A message or a follow opens (or renews) the customer-service allowance."""
        self.state.cache(f"wechat:allowance:{sender}", f"{count} {time.time() + seconds}", seconds)

    def _spend(self, sender: str) -> bool:
        """Use one message of the allowance; False when none is left."""
        left, until = (self.state.cached(f"wechat:allowance:{sender}") or "0 0").split()
        remaining = float(until) - time.time()
        if int(left) <= 0 or remaining <= 0:
            return False
        self.state.cache(f"wechat:allowance:{sender}", f"{int(left) - 1} {until}", remaining)
        return True

    async def send_message(self, sender: str, openid: str, text: str) -> bool:
        """One customer-service text message; False when it was not sent (and the rest should not be)."""
        if not self._spend(sender):
            logger.warning("A WeChat message was not sent: the customer-service allowance is used up.")
            return False
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
        failed = None
        for _ in range(2):
            try:
                token = await self.access_token(stale=failed)
                answer = await self._post("/cgi-bin/message/custom/send", body, token)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as error:
                logger.error("WeChat did not take a message: %s", type(error).__name__)
                return False
            code = int(answer.get("errcode") or 0)
            if code == 0:
                return True
            if code not in EXPIRED_TOKEN:
                break
            failed = token
        # WeChat's error message can quote the request: log only the code.
        logger.error("WeChat did not take a message: errcode %s", code)
        return False

    async def _post(self, path: str, body: str, token: str) -> dict[str, Any]:
        async with self.http().post(
            f"{self.api_url}{path}",
            params={"access_token": token},
            data=body.encode("utf-8"),  # UTF-8 as it is: WeChat shows \\u escapes as they are
            headers={"Content-Type": "application/json; charset=utf-8"},
        ) as answer:
            return dict(await answer.json(content_type=None))

    async def access_token(self, stale: str | None = None) -> str:
        """The API's access token, from the channel state while it is valid and is not ``stale`` (one
        WeChat refused): of two sends refused at once, only one fetches a new token."""
        key = f"wechat:access_token:{self.app_id}"
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:  # one fetch at a time: a new token makes the old one invalid
            cached = self.state.cached(key)
            if cached and cached != stale:
                return cached
            params = {"grant_type": "client_credential", "appid": self.app_id or "", "secret": self.app_secret or ""}
            async with self.http().get(f"{self.api_url}/cgi-bin/token", params=params) as answer:
                data = await answer.json(content_type=None)
            if not data.get("access_token"):
                raise KeyError(f"no access token (errcode {data.get('errcode')})")
            lifetime = int(data.get("expires_in") or 7200)
            self.state.cache(key, str(data["access_token"]), max(60, lifetime - TOKEN_MARGIN_S))
            return str(data["access_token"])

    def http(self) -> aiohttp.ClientSession:
        # Made on first use, inside the server's event loop, where aiohttp wants its session.
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S))
        return self._http


async def read_capped(request: Request, cap: int) -> bytes:
    """The body of a streamed request, refused (413) once it is longer than ``cap``, unread beyond."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdecimal() or int(declared) > cap):
        raise Refused(413, "body too large")
    body = b""
    while request.stream is not None:
        chunk = await request.stream.read()  # type: ignore[union-attr]
        if chunk is None:
            break
        body += chunk
        if len(body) > cap:
            raise Refused(413, "body too large")
    return body
