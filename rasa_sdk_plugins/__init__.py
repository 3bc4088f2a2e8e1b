"""Our plugin to rasa_sdk's action server, which imports a package of this name if there is one.

rasa_sdk calls it once the actions are imported and before the server opens
its port. It

- makes every file the server creates (the records database, its write-ahead
  log) readable by its owner only: they hold health data;
- lets only Rasa in: every request but the health check must carry the shared
  secret of $SCREENER_ACTION_TOKEN (``Authorization: Bearer <token>``, which
  endpoints.yml sends), checked before any action runs; with no secret set it
  refuses every request. Error replies never repeat the request;
- tells Rasa which trial it serves (``/trial``: its registry id, version and file digest), so the
  Rasa server can refuse to start when its channels serve another;
- loads what answering needs (the trial file, the lexicon, the spaCy
  pipeline), so the first person does not wait for it, and then freezes the
  heap: Python's full garbage collections otherwise walk every object loaded
  at start-up, pausing the server for 100-300 ms every few hundred requests
  (``make bench``).
"""

from __future__ import annotations

import gc
import hmac
import logging
import os
from datetime import date
from typing import Any

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)
TOKEN_ENV = "SCREENER_ACTION_TOKEN"
OPEN_PATHS = ("/health",)
TRIAL_PATH = "/trial"


async def only_rasa(request: Request) -> HTTPResponse | None:
    if request.path in OPEN_PATHS:
        return None
    token = os.environ.get(TOKEN_ENV)
    if not token:
        return response.json({"error": f"The action server has no shared secret ({TOKEN_ENV})."}, status=503)
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return response.json({"error": "Not allowed."}, status=401)
    return None


async def no_echo(request: Request, reply: BaseHTTPResponse) -> HTTPResponse | None:
    # rasa_sdk's error handler returns the request body; a rejection (400) is Rasa's to read, and kept.
    if reply.status >= 500:
        return response.json({"error": "The action could not run."}, status=reply.status)
    return None


# Together they touch every reader, the word-frequency list, Chinese numbers and festivals.
WARM_UP_TEXTS = (
    "not sure, maybe 3 months ago",
    "no, except 打针 and a weekly pill from my aunt",
    "我妈春节前后两三周打的",
)


def warm_up() -> None:
    from actions.state import trial as served
    from bot.reading.answers import understand

    trial = served()
    for question in trial.questions.values():
        # The texts together touch every reader, the word-frequency list, Chinese numbers and festivals.
        texts = (
            "not sure, maybe 3 months ago",
            "no, except 打针 and a weekly pill from my aunt",
            "我妈春节前后两三周打的",
        )
        for text in texts:
            understand(question, text, date.today())
    gc.collect()
    gc.freeze()
    logger.info(f"Loaded {trial.registry_id} (criteria {trial.version}) and the language data; start-up heap frozen.")


async def served_trial(_: Request) -> HTTPResponse:
    """Which trial this server scores, exactly: the Rasa server checks at start that its channels serve
    the same one (rasa_plugins/server.py)."""
    from actions.state import trial as served

    trial = served()
    return response.json({"registry_id": trial.registry_id, "version": trial.version, "digest": trial.digest})


class _Plugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        os.umask(0o077)
        app.register_middleware(only_rasa, "request")
        app.register_middleware(no_echo, "response")
        app.add_route(served_trial, TRIAL_PATH, methods=["GET"])
        warm_up()


def init_hooks(manager: Any) -> None:
    manager.register(_Plugin())
