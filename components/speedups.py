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
  on an unchanged tracker (session check, replay, each policy). Events are only
  ever appended, so we keep the last result on the tracker, keyed by the event
  list's identity, length and last event, and hand out copies.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
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


def _applied_events(self: DialogueStateTracker) -> list[Event]:
    events = self.events
    key = (id(events), len(events), id(events[-1]) if events else None)
    cached = getattr(self, "_applied_events_cache", None)
    if cached is None or cached[0] != key:
        cached = (key, _stock_applied_events(self))
        self._applied_events_cache = cached  # type: ignore[attr-defined]
    return list(cached[1])


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
