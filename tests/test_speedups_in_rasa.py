"""Our patches inside a running Rasa agent give what stock Rasa gives (rasa_plugins/).

Whole screenings run through an agent loaded in this process with our model
and a real action server. Every action call is captured twice, as stock Rasa
would send it (the whole history) and as we send it (this turn's events); both
go to the action server, which must answer the same. The trackers seen along
the way, and the messages, then go through the predict graph under dask and
under our sequential runner, which must predict the same.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent, load_agent
from rasa.core.channels.channel import UserMessage
from rasa.core.utils import AvailableEndpoints
from rasa.engine import loader
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.storage.records import Records
from rasa_plugins import patches, speedups, this_turn
from rasa_plugins.__main__ import ALL
from tests.servers import ACTION_TOKEN, MODEL, free_port, running_action_server

pytestmark = pytest.mark.servers  # a real action server, and our model loaded in this process
patches.install(ALL)  # as the launcher does, before any model is loaded

SCREENINGS = [
    # may be a fit, with a medicine follow-up
    ["hello", "yes", "I'm 34", "yes", "yes", "UPCR 1.8 g/g", "no", "no", "no", "cellcept and plaquenil", "no",
     "same dose", "no", "no", "no", "no", "no", "no", "no", "no", "no", "yes", "yes"],
    # a question of their own, an answer not understood, a change of answer, then stop
    ["hi", "yes", "what is the study about?", "banana", "42", "why do you ask?", "actually I'm 45", "yes",
     "I don't know", "stop"],
    # no consent, an early end
    ["hello", "no", "I'm 12"],
]  # fmt: skip
REFERENCE = re.compile(r"S-[0-9A-Z]{6,}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00)?")


@dataclass
class Captured:
    calls: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (stock, ours)
    trackers: list[DialogueStateTracker] = field(default_factory=list)


@contextmanager
def action_server(workdir: Path) -> Iterator[tuple[str, Records]]:
    workdir.mkdir(exist_ok=True)
    port = free_port()
    with running_action_server(workdir, port, db=workdir / "screenings.db"):
        yield f"http://127.0.0.1:{port}/webhook", Records(workdir / "screenings.db")


@pytest.fixture(scope="module")
def action_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The action server of the screenings run here."""
    with action_server(tmp_path_factory.mktemp("actions")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def captured(action_url: str, monkeypatch_module: pytest.MonkeyPatch) -> Captured:
    seen = Captured()

    def capture(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
        seen.trackers.append(tracker.copy())
        ours = this_turn._action_call_format(self, tracker, domain)
        seen.calls.append((this_turn._stock_action_call_format(self, tracker, domain), ours))
        return ours

    monkeypatch_module.setattr(RemoteAction, "_action_call_format", capture)

    async def screen() -> Agent:
        action = EndpointConfig(action_url, headers={"Authorization": f"Bearer {ACTION_TOKEN}"})
        agent = await load_agent(model_path=str(MODEL), endpoints=AvailableEndpoints(action=action))
        for n, script in enumerate(SCREENINGS):
            for text in script:
                await agent.handle_message(UserMessage(text, sender_id=f"speedups-{n}", input_channel="rest"))
        await speedups.close_sessions()
        return agent

    agent = asyncio.run(screen())
    assert isinstance(agent.processor.graph_runner, speedups.SequentialGraphRunner)
    return seen


def normalised(text: str) -> Any:
    """JSON with each run's own references and times masked."""
    return json.loads(TIMESTAMP.sub("<time>", REFERENCE.sub("<reference>", text)))


def post(url: str, body: dict[str, Any]) -> Any:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ACTION_TOKEN}"}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return normalised(response.read().decode())


def test_screenings_called_every_kind_of_action(captured: Captured) -> None:
    names = {ours["next_action"] for _, ours in captured.calls}
    assert {"validate_screening_form", "action_screening_result"} <= names
    assert len(names) >= 8, names


def test_we_send_only_this_turns_events_and_the_same_state(captured: Captured) -> None:
    def without_events(call: dict[str, Any]) -> dict[str, Any]:
        return {**call, "tracker": {k: v for k, v in call["tracker"].items() if k != "events"}}

    for stock, ours in captured.calls:
        assert without_events(ours) == without_events(stock)
        events, all_events = ours["tracker"]["events"], stock["tracker"]["events"]
        users = [i for i, e in enumerate(all_events) if e["event"] == "user"]
        assert events == all_events[users[-1] if users else 0 :]
    size = max(len(json.dumps(stock)) / len(json.dumps(ours)) for stock, ours in captured.calls)
    assert size > 5, "by the end of a screening the whole history is several times this turn"


def test_actions_answer_and_store_from_this_turn_as_from_the_whole_history(captured: Captured, tmp_path: Path) -> None:
    with (
        action_server(tmp_path / "stock") as (stock_url, stock_records),
        action_server(tmp_path / "ours") as (
            our_url,
            our_records,
        ),
    ):
        for stock, ours in captured.calls:
            assert post(our_url, ours) == post(stock_url, stock), ours["next_action"]
        stored = [normalised(records.export_json()) for records in (stock_records, our_records)]
    assert stored[0] == stored[1]
    assert len(stored[0]) == 2, "the two screenings with consent"
    assert {r["channel"] for r in stored[0]} == {"rest"}


@pytest.fixture(scope="module")
def runners(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, DaskGraphRunner, DaskGraphRunner]:
    loaded = [
        loader.load_predict_graph_runner(tmp_path_factory.mktemp(cls.__name__), MODEL, LocalModelStorage, cls)
        for cls in (DaskGraphRunner, speedups.SequentialGraphRunner)
    ]
    return loaded[0][0], loaded[0][1], loaded[1][1]


def test_sequential_runner_understands_as_dask_does(runners: Any) -> None:
    metadata, dask_runner, ours = runners
    texts = [text for script in SCREENINGS for text in script]
    for text in [*texts, "I take tacrolimus and had the shingles vaccine", "我想自杀"]:
        parsed = [
            runner.run({PLACEHOLDER_MESSAGE: [UserMessage(text)]}, [metadata.nlu_target])[metadata.nlu_target][0]
            for runner in (dask_runner, ours)
        ]
        assert parsed[0].as_dict(only_output_properties=True) == parsed[1].as_dict(only_output_properties=True)


def test_sequential_runner_predicts_as_dask_does(captured: Captured, runners: Any) -> None:
    metadata, dask_runner, ours = runners
    assert len(captured.trackers) > 40
    for tracker in captured.trackers:
        predictions = [
            runner.run({PLACEHOLDER_TRACKER: tracker}, [metadata.core_target])[metadata.core_target]
            for runner in (dask_runner, ours)
        ]
        assert predictions[0] == predictions[1]
        assert predictions[0].probabilities == predictions[1].probabilities


def test_a_failing_node_fails_both_runners_alike(runners: Any) -> None:
    metadata, dask_runner, ours = runners
    for runner in (dask_runner, ours):  # the classifier refuses a message without features
        with pytest.raises(GraphComponentException, match="LinearSVMIntentClassifier"):
            runner.run({PLACEHOLDER_MESSAGE: [UserMessage("")]}, [metadata.nlu_target])


def test_graph_inputs_may_not_pose_as_nodes(runners: Any) -> None:
    metadata, _, ours = runners
    with pytest.raises(GraphRunError, match="clashes"):
        ours.run({PLACEHOLDER_MESSAGE: metadata.nlu_target}, [metadata.nlu_target])
