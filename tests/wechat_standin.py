"""A stand-in for WeChat on loopback: its API (access token, customer-service messages), and the
signed, optionally encrypted XML posts it makes to an Official Account's server."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlparse

from wechatpy.crypto import WeChatCrypto

from tests.loopback import JSONHandler, serving

# Made-up test values in WeChat's shapes: an app id, a 43-character EncodingAESKey, an openid.
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-not-a-secret"
TOKEN = "testtokennotasecret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0123456789ab"


@dataclass(frozen=True)
class Sent:
    to: str
    content: str
    raw: bytes  # the body as posted: Chinese must arrive as UTF-8, not as \u escapes


@dataclass
class WeChatStandIn:
    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    tokens: int = 0  # access tokens handed out
    expire_next: bool = False  # answer the next send with "access token expired" (42001)
    refused: int = 0

    def to(self, openid: str) -> list[str]:
        return [s.content for s in self.sent if s.to == openid]

    def current(self) -> str:
        return f"ACCESS_TOKEN_{self.tokens}"


def _handler(standin: WeChatStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):  # WeChat answers errors with 200 and an errcode
        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path != "/cgi-bin/token" or (query.get("appid"), query.get("secret")) != (APP_ID, APP_SECRET):
                standin.refused += 1
                self.answer(200, {"errcode": 40013, "errmsg": "invalid appid"})
                return
            standin.tokens += 1
            self.answer(200, {"access_token": standin.current(), "expires_in": 7200})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            token = parse_qs(url.query).get("access_token", [""])[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if url.path != "/cgi-bin/message/custom/send" or token != standin.current() or standin.expire_next:
                standin.expire_next = False
                standin.refused += 1
                self.answer(200, {"errcode": 42001, "errmsg": "access_token expired"})
                return
            message = json.loads(raw)
            standin.sent.append(Sent(message["touser"], message["text"]["content"], raw))
            self.answer(200, {"errcode": 0, "errmsg": "ok"})

    return Handler


@contextmanager
def running_standin() -> Iterator[WeChatStandIn]:
    standin = WeChatStandIn()
    with serving(_handler(standin)) as url:
        standin.url = url
        yield standin


# ------------------------------------------------------------------ what WeChat posts
def sign(*parts: str) -> str:
    """Written here from WeChat's documentation, apart from the channel's own."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def message_xml(openid: str, content: str | None = None, msg_id: int | None = None, **fields: str) -> str:
    """A message as WeChat posts it: a text by default, or ``MsgType``/``Event`` in ``fields``."""
    values = {"MsgType": "text", "Content": content or "", **fields}
    if values["MsgType"] != "text":
        values.pop("Content")
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in values.items())
    msg = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>{inner}{msg}</xml>"
    )


def signed_post(xml: str, safe: bool = False, token: str = TOKEN, age: float = 0) -> tuple[str, bytes]:
    """The query string and body of a post of ``xml``, in plain or safe (encrypted) mode."""
    timestamp, nonce = str(int(time.time() - age)), str(time.monotonic_ns())
    query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": "o"}
    body = xml
    if safe:
        envelope = WeChatCrypto(token, AES_KEY, APP_ID).encrypt_message(xml, nonce, timestamp)
        encrypted = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        query |= {"encrypt_type": "aes", "msg_signature": sign(token, timestamp, nonce, encrypted)}
    return urlencode(query), body.encode()


def opened_reply(reply: str) -> str:
    """A passive reply's text content, decrypted if it was encrypted."""
    if "<Encrypt>" in reply:
        fields = {k: reply.split(f"<{k}>")[1].split(f"</{k}>")[0] for k in ("Encrypt", "MsgSignature", "Nonce")}
        timestamp = reply.split("<TimeStamp>")[1].split("</TimeStamp>")[0]
        clean = {k: v.removeprefix("<![CDATA[").removesuffix("]]>") for k, v in fields.items()}
        reply = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
            {"Encrypt": clean["Encrypt"]}, clean["MsgSignature"], timestamp, clean["Nonce"]
        )
    if "<Content>" not in reply:
        return ""
    content = reply.split("<Content><![CDATA[")[1].rsplit("]]></Content>")[0]
    return content.replace("]]]]><![CDATA[>", "]]>")
