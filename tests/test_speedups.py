"""Our speed-ups to Rasa give exactly what stock Rasa gives (components/speedups.py)."""

from __future__ import annotations

import asyncio
import gc
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk.plugin import plugin_manager
from sanic import Blueprint, Sanic

from bot import PROJECT_ROOT
from bot.nlp import pipeline
from bot.trial import cached_trial
from channels import with_server_hooks
from components import speedups
from tests.servers import free_port, running_action_server

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def test_speedups_are_applied_when_rasa_loads_our_components() -> None:
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert DialogueStateTracker.applied_events is speedups._applied_events


def test_action_responses_are_still_validated() -> None:
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "no_such_event"}]})


@pytest.mark.parametrize("cls", sorted(all_subclasses(Event), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_event_types_resolve_as_in_stock_rasa(cls: type[Event]) -> None:
    name = cls.type_name
    assert Event.resolve_by_type(name) is speedups._stock_resolve_by_type(name)


def test_unknown_event_types_behave_as_in_stock_rasa() -> None:
    assert Event.resolve_by_type("no_such_type", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_type")


def form_turn(text: str) -> list[Event]:
    return [
        UserUttered(text, {"name": "inform"}),
        ActionExecuted("screening_form"),
        SlotSet("answer", text),
        ActionExecuted("action_listen"),
    ]


def test_applied_events_match_stock_rasa_after_every_event() -> None:
    history: list[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet"}),
        ActionExecuted("screening_form"),
        ActiveLoop("screening_form"),
        ActionExecuted("action_listen"),
        *form_turn("34"),
        UserUttered("what is this?", {"name": "faq_study"}),
        ActionExecutionRejected("screening_form"),
        ActionExecuted("action_answer_faq"),
        ActionExecuted("screening_form"),
        ActionExecuted("action_listen"),
        UserUttered("oops", {"name": "inform"}),
        UserUtteranceReverted(),
        *form_turn("yes"),
        ActiveLoop(None),
        ActionExecuted("action_recap"),
    ]
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in history:
        tracker.update(event)
        assert tracker.applied_events() == speedups._stock_applied_events(tracker)
        assert tracker.applied_events() == speedups._stock_applied_events(tracker), "and again, from the cache"
    tracker.applied_events().clear()
    assert tracker.applied_events() == speedups._stock_applied_events(tracker), "callers get a copy"
    copy = tracker.copy()
    copy.update(UserUttered("more", {"name": "inform"}))
    assert copy.applied_events() == speedups._stock_applied_events(copy)
    assert len(tracker.applied_events()) == len(copy.applied_events()) - 1


def random_event(rng: random.Random) -> Event:
    loop = rng.choice(["screening_form", "correction_form"])
    return rng.choice(
        [
            lambda: UserUttered("x", {"name": rng.choice(["inform", "faq_study", "affirm"])}),
            lambda: ActionExecuted(loop),
            lambda: ActionExecuted(rng.choice(["action_listen", "action_recap", "action_answer_faq"])),
            lambda: ActiveLoop(rng.choice([loop, None])),
            lambda: ActionExecutionRejected(loop),
            lambda: SlotSet("answer", rng.choice(["34", None])),
            lambda: UserUtteranceReverted(),
            lambda: ActionReverted(),
            lambda: SessionStarted() if rng.random() < 0.3 else Restarted(),
        ]
    )()


@pytest.mark.parametrize("seed", range(60))
def test_applied_events_match_stock_rasa_on_random_histories(seed: int) -> None:
    rng = random.Random(seed)
    tracker = DialogueStateTracker(f"random-{seed}", DOMAIN.slots)
    for _ in range(60):
        for _ in range(rng.choice([1, 1, 2, 5])):
            tracker.update(random_event(rng))
        assert tracker.applied_events() == speedups._stock_applied_events(tracker)


EVENT_TYPES = [*(cls.type_name for cls in all_subclasses(Event)), "no_such_event", 5, None]
VALUES = [None, 1, 1.5, "x", [], {}, True, [{"entity": "e", "value": 1}], [{"entity": 3}], {"name": "x"}, {"text": 3}]
FIELDS = ["event", "name", "value", "timestamp", "metadata", "text", "entities", "policy", "confidence", "parse_data"]


def random_response(rng: random.Random) -> Any:
    def event() -> Any:
        if rng.random() < 0.05:
            return rng.choice(VALUES)
        fields = {k: rng.choice(VALUES) for k in rng.sample(FIELDS, rng.randint(0, 4))}
        return fields if rng.random() < 0.05 else {**fields, "event": rng.choice(EVENT_TYPES)}

    if rng.random() < 0.02:
        return rng.choice(VALUES)
    return {"events": [event() for _ in range(rng.randint(0, 3))], "responses": rng.choice([[], [{}], [1], "x"])}


@pytest.mark.parametrize("seed", range(4))
def test_action_responses_are_judged_as_by_the_stock_schema(seed: int) -> None:
    schema = RemoteAction.action_response_format_spec()
    stock = validators.validator_for(schema)(schema)
    action, rng, valid = RemoteAction("action_x", None), random.Random(seed), 0
    for _ in range(1500):
        response = random_response(rng)
        try:
            ours = action._validate_action_result(response)
        except ValidationError:
            ours = False
        assert ours == stock.is_valid(response), response
        valid += ours
    assert 100 < valid < 1400, "both kinds were tried"


def test_action_calls_keep_one_connection_and_survive_a_restart_of_the_server() -> None:
    async def main() -> None:
        seen: list[int] = []  # the client port of each request: one port, one connection

        async def handle(request: web.Request) -> web.Response:
            seen.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
            return web.json_response({"n": len(seen)})

        app = web.Application()
        app.router.add_post("/webhook", handle)
        port = free_port()

        async def serve() -> web.AppRunner:
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            return runner

        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await serve()
        assert [await endpoint.request(json={}) for _ in range(3)] == [{"n": 1}, {"n": 2}, {"n": 3}]
        assert len(set(seen)) == 1
        await runner.cleanup()
        runner = await serve()
        assert await endpoint.request(json={}) == {"n": 4}
        assert len(set(seen)) == 2
        await speedups.close_sessions()
        assert await endpoint.request(json={}) == {"n": 5}, "a closed session is opened again"
        await speedups.close_sessions()
        await runner.cleanup()

    asyncio.run(main())
    asyncio.run(main())  # a new event loop gets sessions of its own


def test_the_rasa_server_freezes_its_heap_and_closes_kept_sessions_at_stop() -> None:
    blueprint = with_server_hooks(Blueprint("probe"))
    hooks = {f.event: f.listener for f in blueprint._future_listeners}
    assert set(hooks) >= {"after_server_start", "after_server_stop"}

    assert not gc.get_freeze_count()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        session = speedups._session(EndpointConfig("http://127.0.0.1:9/webhook")).session
        await hooks["after_server_start"](None, loop)
        assert gc.get_freeze_count() > 0
        await hooks["after_server_stop"](None, loop)
        assert session.closed

    try:
        asyncio.run(main())
    finally:
        gc.unfreeze()


def test_the_action_server_loads_what_it_needs_and_freezes_its_heap_before_it_opens() -> None:
    registered = [type(p).__name__ for p in plugin_manager().get_plugins()]
    assert "_Plugin" in registered, "rasa_sdk finds our plugin"
    cached_trial.cache_clear()
    pipeline.cache_clear()
    assert not gc.get_freeze_count()
    try:
        plugin_manager().hook.attach_sanic_app_extensions(app=Sanic("probe_actions"))
        assert cached_trial.cache_info().currsize == 1
        assert pipeline.cache_info().currsize == 1
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_our_channels_alone_leave_rasa_stock() -> None:
    """Only our model applies the speed-ups: the benchmark's stock Rasa must stay stock."""
    probe = "import sys, channels.rest, channels.socketio, channels.twilio; print('components' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert done.stdout.strip() == "False"


def test_the_running_action_server_warms_up_before_it_opens(tmp_path: Path) -> None:
    with running_action_server(tmp_path, free_port()):
        log = (tmp_path / "actions.log").read_text(encoding="utf-8")
    warmed, up = log.find("start-up heap frozen"), log.find("Action endpoint is up and running")
    assert -1 < warmed < up, log[-2000:]
