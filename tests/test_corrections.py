"""Which earlier answer a correction means, and what changes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.corrections import find_correction
from bot.screening import Screening
from bot.trial import load_trial

TODAY = date(2026, 11, 25)
TRIAL = load_trial()
ANSWERS = ["34", "yes", "yes", "1.8 g/g", "no", "no", "cellcept", "no", "same dose"] + ["no"] * 6 + ["MMR", "in 2024"]


@pytest.fixture
def screening() -> Screening:
    s = Screening(TRIAL)
    for text in ANSWERS:
        assert s.answer(text, TODAY).understood
    return s


@pytest.mark.parametrize(
    ("text", "question", "check"),
    [
        ("actually I'm 45", "age", lambda v: v["min_years"] == 45),
        ("change my age to 52", "age", lambda v: v["min_years"] == 52),
        ("sorry I meant 1.5 g/g", "protein_result", lambda v: v["grams"] == 1.5),
        ("no wait, it was in May", "vaccine_when", lambda v: v["min_days"] == 178),
        ("correction: I had Shingrix", "vaccine_recent", lambda v: v["items"][0]["id"] == "zoster_recombinant"),
        ("oops I meant yes", "surgery_planned", lambda v: v == "yes"),
    ],
)
def test_a_correction_finds_its_question(screening: Screening, text: str, question: str, check) -> None:  # type: ignore[no-untyped-def]
    correction = find_correction(screening, text, TODAY)
    assert correction is not None and correction.question_id == question
    assert check(correction.value)


def test_a_medicine_named_in_a_correction_is_added_to_the_list(screening: Screening) -> None:
    correction = find_correction(screening, "I made a mistake, I also take tacrolimus", TODAY)
    assert correction is not None and correction.question_id == "medicines"
    assert {i["id"] for i in correction.value["items"]} == {"mycophenolate_mofetil", "tacrolimus"}


@pytest.mark.parametrize("text", ["actually", "blah blah", "/correct", "yes", "my cat is called Max"])
def test_nothing_is_changed_when_it_is_not_clear(screening: Screening, text: str) -> None:
    assert find_correction(screening, text, TODAY) is None


def test_a_correction_can_end_or_reopen_the_screen(screening: Screening) -> None:
    screening.correct("age", {"min_years": 70, "max_years": 70, "days_to_birthday": None})
    assert screening.result().outcome == "likely_not"
    screening.correct("age", {"min_years": 40, "max_years": 40, "days_to_birthday": None})
    screening.correct("could_have_children", "yes")
    assert screening.current_question_id() == "could_become_pregnant"
