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
- ``EndpointConfig.request`` opens a new HTTP session, and so a new TCP
  connection to the action server, for every action call, and closes it after.
  We keep one session per endpoint and event loop, with keep-alive connections
  that the client gives up (after 2 s idle) before the action server would
  (Sanic: 5 s), so a kept connection is never one the server has just closed.
- Every graph run (NLU, then each prediction) goes through dask's scheduler,
  which costs more than some of the components it runs. The predict graph is
  a handful of nodes run one at a time anyway, so the message processor runs
  them itself, in dependency order. (Training keeps dask.)

Each gives exactly what stock Rasa gives, for any assistant. The one patch that
changes what Rasa does, sending actions only this turn's events, is in
``this_turn.py``. ``patches.install`` puts them in place (docs/speedups.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

import aiohttp
from jsonschema import ValidationError, validators
from rasa.core import processor
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
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
from rasa.utils.endpoints import EndpointConfig

from rasa_plugins.patches import Patch

# The stock code each speed-up replaces (the tests compare them).
_stock_validate_action_result = RemoteAction._validate_action_result
_stock_resolve_by_type = Event.resolve_by_type
_stock_applied_events = DialogueStateTracker.applied_events
_stock_session = EndpointConfig.session
_stock_runner = DaskGraphRunner


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
        return cast("type[Event] | None", _stock_resolve_by_type(type_name))
    except ValueError:
        return None


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    found = _known_event_type(type_name)
    if found is not None:
        return found
    return cast("type[Event] | None", _stock_resolve_by_type(type_name, default))


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


PATCHES = [
    Patch(
        "validated_responses",
        RemoteAction,
        "_validate_action_result",
        _validate_action_result,
        "f8cdb4be68123961",
        "action responses checked by validators built once, each event against its own type's schema",
    ),
    Patch(
        "event_types",
        Event,
        "resolve_by_type",
        staticmethod(_resolve_by_type),
        "b5cf570fa7f286c7",
        "the class of each event type name found once, not by walking every subclass of Event",
    ),
    Patch(
        "applied_events",
        DialogueStateTracker,
        "applied_events",
        _applied_events,
        "764d5065ea9997d6",
        "the applied events carried on from the last call over the new events only",
    ),
    Patch(
        "sequential_runner",
        processor,
        "DaskGraphRunner",
        SequentialGraphRunner,
        "78a7d146c5c06d4c",
        "prediction runs the graph's nodes in order, without dask's scheduler",
    ),
    Patch(
        "kept_sessions",
        EndpointConfig,
        "session",
        _session,
        "e55aa13d9d4fb4bc",
        "one kept HTTP session (keep-alive connections) per endpoint and event loop",
    ),
]
