"""The one patch that changes what Rasa does: actions are sent only this turn's events.

Stock Rasa sends the action server the whole history, every event of the conversation, on every
action call (every turn): by the end of a screening 80 KB of JSON, encoded by Rasa and decoded by
the action server, growing with each answer. Our actions read the slots, the latest message and
the events of this turn only (actions/__init__.py), so they are sent the events from the latest
user message on, with the rest of the tracker's state as stock Rasa sends it.

The contract is enforced on the actions' side: tests/test_speedups.py fails on any action that
reads the history (``tracker.events`` and the like), and tests/test_speedups_in_rasa.py runs every
action call of whole screenings both ways and checks that the actions answer and store the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_plugins.patches import Patch

_stock_action_call_format = RemoteAction._action_call_format


def this_turn(events: Iterable[Event]) -> list[Event]:
    """The events from the latest user message on (all of them before the first)."""
    events = list(events)
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            return events[i:]
    return events


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
    """Stock ``RemoteAction._action_call_format`` with only this turn's events."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in this_turn(tracker.events)]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


PATCH = Patch(
    "this_turn_events",
    RemoteAction,
    "_action_call_format",
    _action_call_format,
    "428795b944f22edb",
    "actions are sent this turn's events only, not the whole history",
)
