"""Our plugin to rasa_sdk's action server, which imports a package of this name if there is one.

rasa_sdk calls it once the actions are imported and before the server opens
its port. It loads what answering needs (the trial file, the lexicon, the
spaCy pipeline), so the first person does not wait for it, and then freezes
the heap: Python's full garbage collections otherwise walk every object loaded
at start-up, pausing the server for 100-300 ms every few hundred requests
(``make bench``).
"""

from __future__ import annotations

import gc
import logging
from datetime import date
from typing import Any

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


def warm_up() -> None:
    from bot.trial import cached_trial
    from bot.understand import understand

    trial = cached_trial()
    for question in trial.questions.values():
        # Both texts together touch every reader, the word-frequency list and the Chinese words.
        for text in ("not sure, maybe 3 months ago", "no, except 打针 and a weekly pill from my aunt"):
            understand(question, text, date.today())
    gc.collect()
    gc.freeze()
    logger.info(f"Loaded {trial.registry_id} (criteria {trial.version}) and the language data; start-up heap frozen.")


class _Plugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        warm_up()


def init_hooks(manager: Any) -> None:
    manager.register(_Plugin())
