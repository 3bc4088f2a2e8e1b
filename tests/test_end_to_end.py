"""Whole screenings through the real Rasa server, the real action server and a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.records import Records
from bot.trial import load_trial
from tests.servers import Servers, running_servers

pytestmark = pytest.mark.servers
TRIAL = load_trial()
CONTACT = "+86 135 0519 3169"

FIT_ANSWERS = [
    "I'm 34", "yes", "yes", "UPCR 1.8 g/g", "no", "no", "cellcept and plaquenil", "no", "same dose",
    "no", "no", "no", "no", "no", "no", "no", "no", "no", "yes",
]  # fmt: skip


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("servers")) as running:
        yield running


def converse(servers: Servers, sender: str, lines: list[str]) -> list[str]:
    said: list[str] = []
    for line in lines:
        said = servers.texts(sender, line)
    return said


def records(servers: Servers) -> Records:
    return Records(servers.db)


def test_a_person_who_may_fit_gets_the_outcome_guidance_and_contacts(servers: Servers) -> None:
    closing = converse(servers, "fit-1", ["hello", "yes", *FIT_ANSWERS])
    assert TRIAL.outcomes["may_fit"] in closing
    assert TRIAL.texts["provider"] in closing
    assert any(CONTACT in t for t in closing)
    reference = next(t for t in closing if t.startswith("Your reference is")).split()[3].rstrip(".")
    saved = records(servers).get(reference)
    assert saved is not None
    assert (saved["status"], saved["outcome"], saved["channel"]) == ("completed", "may_fit", "rest")
    assert saved["answers"]["age"]["min_years"] == 34
    assert saved["verdicts"]["exc_immunosuppressant_dose"]["verdict"] == "meets"


def test_a_clear_exclusion_ends_early_with_the_reason(servers: Servers) -> None:
    before = records(servers).count()
    converse(servers, "old-1", ["hi", "yes"])
    closing = servers.texts("old-1", "I am 70 years old")
    assert TRIAL.outcomes["likely_not"] in closing
    assert any(TRIAL.criterion("inc_age").reasons["too_old"] in t for t in closing)
    assert TRIAL.texts["provider"] in closing and any(CONTACT in t for t in closing)
    assert records(servers).count() == before + 1
    last = records(servers).all()[-1]
    assert (last["outcome"], last["ended_early"]) == ("likely_not", True)


def test_someone_who_declines_consent_can_screen_and_nothing_is_stored(servers: Servers) -> None:
    before = records(servers).count()
    first = servers.texts("private-1", "hello")
    assert TRIAL.texts["consent_question"] in first
    closing = converse(servers, "private-1", ["no", *FIT_ANSWERS])
    assert TRIAL.outcomes["may_fit"] in closing
    assert not any("reference" in t.lower() for t in closing)
    assert records(servers).count() == before


def test_an_answer_not_understood_is_asked_again_then_goes_to_the_team(servers: Servers) -> None:
    converse(servers, "unclear-1", ["hi", "yes", "40"])
    retry = servers.texts("unclear-1", "zebra crossing on tuesday")
    assert retry == [TRIAL.questions["lupus_diagnosis"].retry]
    moved_on = servers.texts("unclear-1", "the moon is cheese")
    assert TRIAL.texts["gave_up"] in moved_on
    assert any(TRIAL.questions["kidney_involvement"].text in t for t in moved_on)


def test_stopping_mid_screen_closes_with_guidance_and_keeps_a_stopped_record(servers: Servers) -> None:
    converse(servers, "stop-1", ["hi", "yes", "40", "yes"])
    closing = servers.texts("stop-1", "stop")
    assert TRIAL.texts["stopped"] in closing
    assert TRIAL.texts["provider"] in closing and any(CONTACT in t for t in closing)
    stopped = [r for r in records(servers).all() if r["status"] == "stopped"]
    assert stopped and stopped[-1]["answers"]["lupus_diagnosis"] == "yes"
