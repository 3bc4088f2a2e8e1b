"""The records service: one process that owns the records database, for action servers on several
machines (issue 21; why a service and not PostgreSQL: README, "Several Rasa servers").

Action servers write records, the funnel and call-backs by the five calls of ``Records`` that they
use; the service runs them on its SQLite file, where the coordinators' view, the report and the
retention purge read them as on one machine. Every call needs the shared token
(``$SCREENER_RECORDS_TOKEN``), compared in constant time; the service listens where it is told,
and TLS, if the network needs it, ends in front of it (docs/deploy.md).

    python -m bot.storage.service --host 10.0.0.5 --port 5056   # on the machine with the records

and on each action server ``SCREENER_RECORDS_URL=http://10.0.0.5:5056`` with the same token:

    >>> records = RemoteRecords("http://10.0.0.5:5056", "token")  # doctest: +SKIP
    >>> records.tally("2026-W49", "started", "socketio", "zh")  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

import urllib3
from aiohttp import web

from bot.settings import Settings
from bot.storage.callbacks import CallBack
from bot.storage.records import NotYours, Records, ScreeningRecord

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # a record is a few kilobytes


class Unavailable(RuntimeError):
    """The records service could not be reached, or refused the call."""


def _record_from(data: dict[str, Any]) -> ScreeningRecord:
    return ScreeningRecord(**{**data, "started_at": datetime.fromisoformat(data["started_at"])})


def _save(records: Records, args: dict[str, Any]) -> None:
    moved = args.get("moved")
    records.save(_record_from(args["record"]), owner=args.get("owner"), moved=tuple(moved) if moved else None)


# The five writes an action server makes, each from its JSON arguments; nothing else can be called.
CALLS: dict[str, Callable[[Records, dict[str, Any]], Any]] = {
    "save": _save,
    "moved": lambda r, a: r.moved(a["week"], a["channel"], a["before"], a["after"]),
    "tally": lambda r, a: r.tally(a["week"], a["event"], a["channel"], a["language"], a.get("question", "")),
    "save_callback": lambda r, a: r.save_callback(CallBack(**a["callback"])),
    "cancel_callback": lambda r, a: r.cancel_callback(a["reference"]),
}


def app(records: Records, token: str) -> web.Application:
    if not token:
        raise ValueError("the records service needs a token ($SCREENER_RECORDS_TOKEN)")
    expected = f"Bearer {token}".encode()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return web.json_response({"error": "unauthorised"}, status=401)
        call = request.match_info["call"]
        if call not in CALLS:
            return web.json_response({"error": "unknown call"}, status=404)
        try:
            args = json.loads(await request.read())
            result = CALLS[call](records, args)
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"error": "too large"}, status=413)
        except NotYours:
            return web.json_response({"error": "not_yours"}, status=409)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # not the calls' shape
            logger.warning("A records call %s was refused: %s", call, type(error).__name__)
            return web.json_response({"error": "bad request"}, status=400)
        return web.json_response({"result": result})

    async def health(_: web.Request) -> web.Response:
        # Unauthenticated (for probes), so it reads the database but says nothing of what it holds.
        records.count()
        return web.json_response({"ok": True})

    application = web.Application(client_max_size=MAX_BODY)
    application.add_routes([web.post("/v1/{call}", handle), web.get("/health", health)])
    return application


class RemoteRecords:
    """The five writes of ``Records`` that action servers make, sent to the records service."""

    def __init__(self, url: str, token: str, timeout_s: float = 10.0) -> None:
        self.url, self.timeout_s = url.rstrip("/"), timeout_s
        # urllib3 itself, not requests over it: half the client's CPU per call (measured: 0.40 ms
        # against 0.71 ms a save), and every answer makes one.
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.http = urllib3.PoolManager(headers=headers)
        # Retried only when the request never reached the service: a count sent twice would count twice.
        self.retries = urllib3.Retry(total=2, connect=2, read=0, redirect=0, status=0, other=0, backoff_factor=0.05)

    def _call(self, call: str, **args: Any) -> Any:
        try:
            response = self.http.request(
                "POST",
                f"{self.url}/v1/{call}",
                body=json.dumps(args).encode(),
                timeout=self.timeout_s,
                retries=self.retries,
            )
        except urllib3.exceptions.HTTPError as error:
            raise Unavailable(f"records service: {type(error).__name__}") from error
        if response.status == 409:
            raise NotYours(args.get("record", {}).get("reference", ""))
        if response.status != 200:
            raise Unavailable(f"records service: HTTP {response.status}")
        return json.loads(response.data)["result"]

    def save(
        self,
        record: ScreeningRecord,
        owner: str | None = None,
        moved: tuple[str, str | None, str | None] | None = None,
    ) -> None:
        data = {**asdict(record), "started_at": record.started_at.isoformat()}
        self._call("save", record=data, owner=owner, moved=moved)

    def moved(self, week: str, channel: str, before: str | None, after: str | None) -> None:
        if before != after:
            self._call("moved", week=week, channel=channel, before=before, after=after)

    def tally(self, week: str, event: str, channel: str, language: str, question: str = "") -> None:
        self._call("tally", week=week, event=event, channel=channel, language=language, question=question)

    def save_callback(self, callback: CallBack) -> None:
        self._call("save_callback", callback=asdict(callback))

    def cancel_callback(self, reference: str) -> bool:
        return bool(self._call("cancel_callback", reference=reference))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.storage.service", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5056)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO)
    records = Records(settings.records_db, settings.busy_timeout_s)
    web.run_app(app(records, settings.records_token or ""), host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
