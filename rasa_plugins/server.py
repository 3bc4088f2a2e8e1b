"""What the Rasa server process does at start and stop, whichever channels it runs.

- Once the model is loaded, everything loaded so far is exempted from garbage collection
  (``gc.freeze``): Python's full collections otherwise walk every object of Rasa, TensorFlow and
  the model, pausing the server for 100-300 ms every few hundred messages (``make bench``).
- When the server stops, the HTTP sessions kept open to the action server are closed.

Both are listeners that ``serve_application`` (the heart of ``rasa run``) registers on its app:
``PATCH`` hands them to it through its own ``server_listeners`` argument.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import Callable
from typing import Any

import rasa.core.run
from sanic import Sanic

from rasa_plugins import speedups
from rasa_plugins.patches import Patch


async def freeze_heap(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


async def close_sessions(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    await speedups.close_sessions()


_stock_serve_application = rasa.core.run.serve_application
LISTENERS = [(freeze_heap, "after_server_start"), (close_sessions, "after_server_stop")]


def with_listeners(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)  # keeps the signature: rasa.api.run passes only the arguments it names
    def serve_application(*args: Any, server_listeners: list[Any] | None = None, **kwargs: Any) -> Any:
        return stock(*args, server_listeners=[*(server_listeners or []), *LISTENERS], **kwargs)

    return serve_application


PATCH = Patch(
    "server_listeners",
    rasa.core.run,
    "serve_application",
    with_listeners(_stock_serve_application),
    "fa80588d9e008b67",
    "the heap frozen once the model is loaded; kept sessions closed when the server stops",
)
