"""Speed-ups to Rasa 3.6 itself, measured with ``make bench``.

Profiling a screening turn showed most of Rasa's time in places that redo
constant work on every call:

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which
  first checks the (constant, large) response schema against the JSON-Schema
  meta-schema, then validates: ~50 ms per action call. We build the validators
  once, and check each event against its own type's branch of the schema's
  ``oneOf`` rather than trying all 23 branches (the same verdict, see
  ``_response_validators``).
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
- ``RemoteAction`` sends the action server the whole history, every event of
  the conversation, on every action call (two a turn): by the end of a
  screening 80 KB of JSON encoded by Rasa and decoded by the action server,
  growing with each answer. Our actions read the slots, the latest message and
  the events of the current turn only (``actions/__init__.py``), so they are
  sent the events from the latest user message on, with the rest of the
  tracker state unchanged. tests/test_speedups_in_rasa.py runs every action
  call of whole screenings both ways and checks that the actions answer and
  store the same.
- ``EndpointConfig.request`` opens a new HTTP session, and so a new TCP
  connection to the action server, for every action call, and closes it after.
  We keep one session per endpoint and event loop, with keep-alive connections
  that the client gives up (after 2 s idle) before the action server would
  (Sanic: 5 s), so a kept connection is never one the server has just closed.
- Every graph run (NLU, then each prediction) goes through dask's scheduler,
  which costs more than some of the components it runs. The predict graph is
  a handful of nodes run one at a time anyway, so the message processor runs
  them itself, in dependency order. (Training keeps dask. This applies when
  our tracker store is loaded before the model, as ``rasa run`` and
  ``rasa shell`` do with our endpoints.yml; otherwise Rasa's runner is used.)

All but the action call format give exactly what stock Rasa gives, for any
assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import aiohttp
import rasa
from jsonschema import ValidationError, validators
from rasa.core import processor
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
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
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

_stock_resolve_by_type = Event.resolve_by_type
_stock_applied_events = DialogueStateTracker.applied_events
_stock_action_call_format = RemoteAction._action_call_format


def _validator(schema: dict[str, Any]) -> Any:
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _response_validators() -> tuple[Any, dict[str, Any]]:
    """The stock response schema split in two: the response with each event's
    common fields, and per event type, that type's branch of the ``oneOf``.

    The branches differ in their ``event`` constant, so an event matches
    exactly one branch (as ``oneOf`` wants) if and only if it matches its own
    type's: the same verdict, without trying all 23 branches on every event.
    """
    response = RemoteAction.action_response_format_spec()
    event = response["properties"]["events"]["items"]
    common = {k: v for k, v in event.items() if k != "oneOf"}
    split = {**response, "properties": {**response["properties"], "events": {"type": "array", "items": common}}}
    by_type = {branch["properties"]["event"]["const"]: _validator(branch) for branch in event["oneOf"]}
    if len(by_type) != len(event["oneOf"]):
        raise RuntimeError("two event schemas share an event type; the split would not match oneOf")
    return _validator(split), by_type


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    response, by_type = _response_validators()
    try:
        response.validate(result)
        for event in result.get("events", []):
            if event["event"] not in by_type:
                raise ValidationError(f"{event['event']!r} is not a known type of event")
            by_type[event["event"]].validate(event)
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


class _KeptSession:
    """``async with`` hands out the kept session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        return None


# (endpoint id, loop id) -> the endpoint, the loop, the session; holding the first two keeps their ids unique.
_sessions: dict[tuple[int, int], tuple[EndpointConfig, asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


def _session(self: EndpointConfig) -> _KeptSession:
    loop = asyncio.get_running_loop()
    key = (id(self), id(loop))
    kept = _sessions.get(key)
    if kept is None or kept[2].closed:
        for gone in [k for k, (_, old_loop, _) in _sessions.items() if old_loop.is_closed()]:
            del _sessions[gone]
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=2),
        )
        _sessions[key] = kept = (self, loop, session)
    return _KeptSession(kept[2])


async def close_sessions() -> None:
    """Close the kept sessions of the running event loop (when the server stops)."""
    loop = asyncio.get_running_loop()
    for key in [k for k, (_, kept_loop, _) in _sessions.items() if kept_loop is loop]:
        await _sessions.pop(key)[2].close()


class SequentialGraphRunner(DaskGraphRunner):
    """Rasa's graph runner, running the nodes in dependency order without dask."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: dict[tuple[str, ...], list[str]] = {}  # targets -> the nodes to run, in order

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        order = self._order(tuple(run_targets))
        # Like dask: each node gets the (name, output) pairs of the nodes it needs; inputs pose as nodes.
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in order:
                raise GraphRunError(f"Input value '{value}' clashes with a node name.")
            results[name] = (name, value)
        try:
            for name in order:
                needs = self._graph_schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*(results.get(n, n) for n in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[t] for t in run_targets)

    def _order(self, targets: tuple[str, ...]) -> list[str]:
        if targets not in self._orders:
            nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
            order: list[str] = []

            def visit(name: str) -> None:
                if name in nodes and name not in order:
                    for need in nodes[name].needs.values():
                        visit(need)
                    order.append(name)

            for name in nodes:
                visit(name)
            self._orders[targets] = order
        return self._orders[targets]


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    EndpointConfig.session = _session  # type: ignore[assignment,method-assign]
    processor.DaskGraphRunner = SequentialGraphRunner  # type: ignore[misc]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
