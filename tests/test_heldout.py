"""Held-out sets, once measured, are folded in: their people and messages are tuned tests from then on.

Each folded set (tests/data/heldout/sets.yml) is played through the engine, retyping and tapping: no
person who must not fit may end "may be a fit", and each harmless person must end "may be a fit",
except the misses the set's `misses.yml` lists with a reason (strict expected failures: one that
starts to pass fails here until it is taken off the list). Its red-flag messages are played through
the keyword layer here, and through both layers in `make safety-report`.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.scoring import MAY_FIT
from bot.yamlfile import load_yaml
from tests.heldout import MODES, Alarm, Person, alarms, counts_only, folded, keyword_alarm, people, play_engine


def _misses() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in folded():
        path = folder / "misses.yml"
        if path.exists():
            found.update({str(k): str(v) for k, v in (load_yaml(path) or {}).items()})
    return found


MISSES = _misses()
PEOPLE = [p for folder in folded() for p in people(folder)]
MESSAGES = [a for folder in folded() for a in alarms(folder)]


def _marked(case_id: str, mode: str = "") -> Any:
    reason = MISSES.get(f"{case_id}:{mode}") or MISSES.get(case_id)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize(
    ("person", "mode"),
    [pytest.param(p, m, id=f"{p.id}-{m}", marks=_marked(p.id, m)) for p in PEOPLE for m in MODES],
)
def test_each_person_of_a_folded_set_ends_as_they_should(person: Person, mode: str) -> None:
    """A false fit never; a harmless person may be a fit; the team may check one who is likely not a
    fit, but nobody the team should check is ruled out."""
    outcome = play_engine(person, mode).outcome
    if person.expect != MAY_FIT:
        assert outcome != MAY_FIT, f"{person.id} ({mode}): a false 'may be a fit'"
    allowed = {"likely_not": ("likely_not", "needs_team")}.get(person.expect)
    assert outcome in allowed if allowed else person.holds(outcome), f"{person.id} ({mode}): {person.expect}, {outcome}"


@pytest.mark.parametrize("alarm", [pytest.param(a, id=a.id, marks=_marked(a.id)) for a in MESSAGES])
def test_each_message_of_a_folded_set_gets_the_right_alarm_from_the_keyword_layer(alarm: Alarm) -> None:
    assert (keyword_alarm(alarm) or "none") == alarm.expect, alarm.text


def test_the_folded_sets_are_played() -> None:
    assert len(PEOPLE) >= 150 and len(MESSAGES) >= 60
    assert {p.lang for p in PEOPLE} == {"en", "zh"}


def test_the_figures_of_a_set_not_yet_folded_name_no_case() -> None:
    figures = {"servers": {"answers_tap": {"false_fits": 2, "false_fit_ids": ["x-1", "x-2"]}}, "sets": ["a.yml"]}
    assert counts_only(figures) == {"servers": {"answers_tap": {"false_fits": 2}}, "sets": ["a.yml"]}
