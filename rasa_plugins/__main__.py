"""``python -m rasa_plugins <rasa arguments>``: Rasa's own command line, with our patches.

    python -m rasa_plugins run --model models/screener.tar.gz --endpoints endpoints.yml ...

It registers one plug-in with Rasa's plug-in manager before Rasa's ``main`` runs; Rasa calls its
``init_managers`` hook once logging is set up and before the command runs (so before any model
or tracker store is loaded), and that installs every patch (``ALL``), logging which.
``rasa run`` without this launcher is stock Rasa (the benchmark's "default").
"""

from __future__ import annotations

from typing import Any

import pluggy
from rasa.__main__ import main
from rasa.plugin import plugin_manager

from rasa_plugins import patches, server, speedups, this_turn

ALL = [*speedups.PATCHES, this_turn.PATCH, server.PATCH]


class _Plugin:
    @pluggy.HookimplMarker("rasa")  # type: ignore[misc]
    def init_managers(self, endpoints_file: Any) -> None:
        patches.install(ALL)


def run() -> None:
    plugin_manager().register(_Plugin())
    main()


if __name__ == "__main__":
    run()
