"""Our speed-ups to Rasa give exactly what stock Rasa gives (components/speedups.py)."""

from __future__ import annotations

import random

import pytest
from jsonschema import ValidationError
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

from bot import PROJECT_ROOT
from components import speedups

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
