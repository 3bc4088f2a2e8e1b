"""Our patches to Rasa: installed only on request and only where they were written for
(rasa_plugins/patches.py); the speed-ups give exactly what stock Rasa gives (rasa_plugins/speedups.py);
and no action reads history it is not sent (rasa_plugins/this_turn.py)."""

from __future__ import annotations

import ast
import asyncio
import gc
import logging
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
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
from sanic import Sanic

from bot import PROJECT_ROOT
from bot.reading.nlp import pipeline
from bot.trial.model import cached_trial
from rasa_plugins import patches, server, speedups, this_turn
from rasa_plugins.__main__ import ALL
from tests.servers import free_port, running_action_server

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
# The tests below compare the speed-ups with stock Rasa: installed here as the launcher installs them.
assert patches.install(ALL) == [p.name for p in ALL]


def test_every_patch_is_installed_by_the_launcher_and_none_by_an_import() -> None:
    assert all(p.installed() for p in ALL)
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert RemoteAction._action_call_format is this_turn._action_call_format
    probe = (
        "import sys, rasa_plugins, rasa_plugins.speedups, rasa_plugins.this_turn, rasa_plugins.server, "
        "rasa_plugins.conversation_store, rasa_plugins.red_flag_intent\n"
        "from rasa_plugins.__main__ import ALL\n"
        "print(sum(p.installed() for p in ALL))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert done.stdout.strip() == "0", "importing our plug-ins patched Rasa"


@pytest.mark.parametrize("patch", ALL, ids=lambda p: p.name)
def test_each_patch_was_written_against_this_rasa(patch: patches.Patch) -> None:
    stock = getattr(patch.owner, patch.attribute)
    if patch.installed():  # the hash is of the stock code this one replaced
        stock = {
            "validated_responses": speedups._stock_validate_action_result,
            "event_types": speedups._stock_resolve_by_type,
            "applied_events": speedups._stock_applied_events,
            "sequential_runner": speedups._stock_runner,
            "kept_sessions": speedups._stock_session,
            "this_turn_events": this_turn._stock_action_call_format,
            "server_listeners": server._stock_serve_application,
        }[patch.name]
    assert patches.source_hash(stock) == patch.stock_hash


def test_a_patch_is_refused_with_a_reason_when_rasa_is_not_what_it_was_written_for(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Owner:
        def method(self) -> int:
            return 1

    def ours(self: Owner) -> int:
        return 2

    good = patches.Patch("probe", Owner, "method", ours, patches.source_hash(Owner.method), "a probe")
    changed = replace(good, stock_hash="0" * 16)
    missing = replace(good, attribute="gone")
    caplog.set_level(logging.INFO, logger="rasa_plugins.patches")
    assert patches.install([changed, missing]) == []
    assert Owner().method() == 1, "a refused patch changes nothing"
    assert "Owner.method has changed (source hash" in caplog.text
    assert "Owner.gone no longer exists" in caplog.text
    monkeypatch.setattr("rasa.__version__", "3.6.22")
    assert patches.install([good]) == []
    assert "Rasa 3.6.22 is not one it was written for" in caplog.text
    monkeypatch.undo()
    assert patches.install([good]) == ["probe"] and Owner().method() == 2
    assert patches.install([good]) == ["probe"], "installing twice is installing once"
    assert "Rasa patches installed: probe" in caplog.text


# Reading the history: what an action may not do, as Rasa sends it only this turn's events.
HISTORY = {"events", "applied_events", "events_after_latest_restart", "get_last_event_for", "idx_after_latest_restart"}


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "actions").glob("*.py")), ids=lambda p: p.name)
def test_no_action_reads_history_it_is_not_sent(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [(node.lineno, node.attr) for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    found = [f"{path.name}:{line} .{name}" for line, name in reads if name in HISTORY]
    assert not found, f"actions are sent only this turn's events (rasa_plugins/this_turn.py): {found}"


def test_the_history_check_can_fail(tmp_path: Path) -> None:
    tree = ast.parse("def run(tracker):\n    return [e for e in tracker.events if e['event'] == 'user']\n")
    assert {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & HISTORY == {"events"}


def test_action_responses_are_still_validated() -> None:
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "no_such_event"}]})


@pytest.mark.parametrize("cls", sorted(all_subclasses(Event), key=str), ids=str)
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
    make: Callable[[], Event] = rng.choice(
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
    )
    return make()


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


def test_the_rasa_server_freezes_its_heap_and_closes_kept_sessions_at_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    given: dict[str, object] = {}
    monkeypatch.setattr(server, "_stock_serve_application", lambda *a, **kw: given.update(kw))
    server.with_listeners(server._stock_serve_application)(None, server_listeners=[("theirs", "before_server_start")])
    hooks = {event: listener for listener, event in given["server_listeners"]}  # type: ignore[attr-defined]
    assert set(hooks) == {"before_server_start", "after_server_start", "after_server_stop"}

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


@pytest.mark.servers
def test_the_running_action_server_warms_up_before_it_opens(tmp_path: Path) -> None:
    with running_action_server(tmp_path, free_port()):
        log = (tmp_path / "actions.log").read_text(encoding="utf-8")
    warmed, up = log.find("start-up heap frozen"), log.find("Action endpoint is up and running")
    assert -1 < warmed < up, log[-2000:]
