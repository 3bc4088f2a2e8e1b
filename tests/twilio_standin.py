"""A stand-in for Twilio's Messages API on loopback: it records what the screener sends."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from tests.loopback import JSONHandler, serving


@dataclass(frozen=True)
class Sent:
    to: str
    from_: str
    body: str


@dataclass
class TwilioStandIn:
    account_sid: str
    auth_token: str
    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    refused: int = 0  # posts with the wrong path or credentials

    def to(self, address: str) -> list[Sent]:
        return [s for s in self.sent if s.to == address]


def _handler(standin: TwilioStandIn) -> type[BaseHTTPRequestHandler]:
    path = f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
    auth = "Basic " + base64.b64encode(f"{standin.account_sid}:{standin.auth_token}".encode()).decode()

    class Handler(JSONHandler):
        def do_POST(self) -> None:
            form = parse_qs(
                self.rfile.read(int(self.headers.get("Content-Length", 0))).decode(), keep_blank_values=True
            )
            if self.path != path or self.headers.get("Authorization") != auth:
                standin.refused += 1
                self.answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            sent = Sent(form["To"][0], form["From"][0], form["Body"][0])
            standin.sent.append(sent)
            self.answer(201, _message(standin.account_sid, sent))

    return Handler


def _message(account_sid: str, sent: Sent) -> dict[str, object]:
    sid = "SM" + uuid.uuid4().hex
    now = formatdate(usegmt=True)
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": sent.to,
        "from": sent.from_,
        "body": sent.body,
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        "api_version": "2010-04-01",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "messaging_service_sid": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"},
    }


@contextmanager
def running_standin(account_sid: str, auth_token: str) -> Iterator[TwilioStandIn]:
    standin = TwilioStandIn(account_sid, auth_token)
    with serving(_handler(standin)) as url:
        standin.url = url
        yield standin
