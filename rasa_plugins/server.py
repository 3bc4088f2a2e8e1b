"""What the Rasa server process does at start and stop, whichever channels it runs.

- Once the model is loaded, everything loaded so far is exempted from garbage collection
  (``gc.freeze``): Python's full collections otherwise walk every object of Rasa, TensorFlow and
  the model, pausing the server for 100-300 ms every few hundred messages (``make bench``).
- When the server stops, the HTTP sessions kept open to the action server are closed.
- Before it serves anyone, every channel of credentials.yml must serve the trial the action server
  scores (same registry id and the same file, by digest): a channel asking one trial's questions
  while the actions score another's would give people wrong results, so the server refuses to start.

Both are listeners that ``serve_application`` (the heart of ``rasa run``) registers on its app:
``PATCH`` hands them to it through its own ``server_listeners`` argument.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp
import rasa.core.run
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic

from bot.settings import Settings
from bot.trial.model import cached_trial
from bot.yamlfile import load_yaml
from rasa_plugins import speedups
from rasa_plugins.patches import Patch

logger = logging.getLogger(__name__)
TRIAL_PATH = "/trial"  # the action server's (rasa_sdk_plugins/)
ACTION_SERVER_WAIT_S = 120.0


async def freeze_heap(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


async def close_sessions(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    await speedups.close_sessions()


class DifferentTrials(RuntimeError):
    """The channels and the action server do not serve the same trial."""


def channel_trials(credentials: str | None) -> dict[str, str]:
    """Each channel of credentials.yml and the digest of the trial it serves (its ``trial:``, else the default)."""
    entries = load_yaml(Path(credentials)) if credentials and Path(credentials).is_file() else {}
    default = Settings.from_env().trial
    choices = {str(name): (entry or {}).get("trial") or default for name, entry in (entries or {}).items()}
    return {name: cached_trial(choice).digest for name, choice in (choices or {"default": default}).items()}


async def served_trial(endpoint: EndpointConfig, wait_s: float) -> dict[str, Any]:
    """What the action server says it serves; it may still be starting (``make run`` starts both)."""
    asking = EndpointConfig(urljoin(endpoint.url, TRIAL_PATH), headers=endpoint.headers)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return dict(await asking.request("get"))
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1.0)


def checking_trials(
    credentials: str | None, endpoint: EndpointConfig | None, wait_s: float = ACTION_SERVER_WAIT_S
) -> Callable[..., Any]:
    async def same_trial(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        if endpoint is None:
            return
        theirs = await served_trial(endpoint, wait_s)
        differ = {name: digest for name, digest in channel_trials(credentials).items() if digest != theirs["digest"]}
        if differ:
            message = (
                f"The action server scores {theirs['registry_id']} (version {theirs['version']}, file "
                f"{theirs['digest'][:12]}), but these channels serve another trial file: {', '.join(differ)}. "
                "Give the channels' `trial:` in credentials.yml and $SCREENER_TRIAL the same trial."
            )
            logger.critical(message)
            raise DifferentTrials(message)

    return same_trial


_stock_serve_application = rasa.core.run.serve_application
LISTENERS = [(freeze_heap, "after_server_start"), (close_sessions, "after_server_stop")]


def with_listeners(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)  # keeps the signature: rasa.api.run passes only the arguments it names
    def serve_application(*args: Any, server_listeners: list[Any] | None = None, **kwargs: Any) -> Any:
        action = getattr(kwargs.get("endpoints"), "action", None)
        checks = [(checking_trials(kwargs.get("credentials"), action), "before_server_start")]
        return stock(*args, server_listeners=[*(server_listeners or []), *checks, *LISTENERS], **kwargs)

    return serve_application


PATCH = Patch(
    "server_listeners",
    rasa.core.run,
    "serve_application",
    with_listeners(_stock_serve_application),
    "fa80588d9e008b67",
    "the heap frozen once the model is loaded; kept sessions closed when the server stops",
)
