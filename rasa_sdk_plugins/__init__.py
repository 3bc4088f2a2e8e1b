"""Our plugin to rasa_sdk's action server, which imports a package of this name if there is one.

Before the first request, the server loads what answering needs (the trial
file, the lexicon, the spaCy pipeline) and then freezes the heap: Python's
full garbage collections otherwise walk every object loaded at start-up,
pausing the server for 100-300 ms every few hundred requests (``make bench``).
"""

from __future__ import annotations

import asyncio
import gc
from datetime import date
from typing import Any

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def warm_up() -> None:
    from bot.trial import cached_trial
    from bot.understand import understand

    trial = cached_trial()
    for question in trial.questions.values():
        understand(question, "not sure, maybe 3 months ago", date.today())
    gc.collect()
    gc.freeze()


async def _warm_up(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    warm_up()


class _Plugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_listener(_warm_up, "after_server_start")


def init_hooks(manager: Any) -> None:
    manager.register(_Plugin())
