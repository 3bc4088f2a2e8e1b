"""Two speed-ups to Rasa 3.6 itself, same behaviour, measured with ``make bench``.

Profiling a screening turn showed most of Rasa's time in two places that redo
constant work on every call:

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which
  first checks the (constant, large) response schema against the JSON-Schema
  meta-schema, then validates: ~50 ms per action call. We build the validator
  once and only validate.
- ``Event.resolve_by_type`` walks every subclass of ``Event`` (with
  ``inspect.isabstract``) for each event it deserialises: a tracker of a few
  hundred events costs ~10 ms per turn to load. We remember the answer per
  type name.
- ``DialogueStateTracker.applied_events`` replays the whole event history (with
  nested loops over form executions) and is called five or more times per turn
  (session check, replay, each policy), mostly on an unchanged tracker or one
  with a few more events. It is a left fold over the events, given the names
  of the loops that occur in them; events are only ever appended. So we keep
  the last result on the tracker and, while no new loop name appears, carry the
  fold on over the new events only, handing out copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_stock_resolve_by_type = Event.resolve_by_type
_stock_applied_events = DialogueStateTracker.applied_events


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


@lru_cache(maxsize=256)
def _known_event_type(type_name: str) -> type[Event] | None:
    try:
        return _stock_resolve_by_type(type_name)
    except ValueError:
        return None


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    found = _known_event_type(type_name)
    if found is not None:
        return found
    return _stock_resolve_by_type(type_name, default)


def _loop_names(events: Iterable[Event]) -> frozenset[str]:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def _fold(
    tracker: DialogueStateTracker, events: Iterable[Event], loops: frozenset[str], applied: list[Event]
) -> list[Event]:
    """Stock ``applied_events``'s loop body, from a given start."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loops
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def _applied_events(self: DialogueStateTracker) -> list[Event]:
    events = self.events
    count = len(events)
    last = events[-1] if events else None
    # (the event deque, how many events, the last of them, loop names, the result)
    cached = getattr(self, "_applied_events_cache", None)
    if cached and cached[0] is events and cached[1] == count and cached[2] is last:
        return list(cached[4])
    if cached and cached[0] is events and 0 < cached[1] < count and events[cached[1] - 1] is cached[2]:
        new = [events[i] for i in range(cached[1] - count, 0)]
        if _loop_names(new) <= cached[3]:
            applied = _fold(self, new, cached[3], list(cached[4]))
            self._applied_events_cache = (events, count, last, cached[3], applied)  # type: ignore[attr-defined]
            return list(applied)
    loops = _loop_names(events)
    applied = _fold(self, events, loops, [])
    self._applied_events_cache = (events, count, last, loops, applied)  # type: ignore[attr-defined]
    return list(applied)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
