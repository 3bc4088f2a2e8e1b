"""Which earlier answer a correction means, and what changes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.session.corrections import find_correction, says_it_corrects
from bot.session.screening import Screening
from bot.trial.model import load_trial

TODAY = date(2026, 11, 25)
TRIAL = load_trial()
ANSWERS = {
    "age": "34",
    "lupus_diagnosis": "yes",
    "kidney_involvement": "yes",
    "protein_result": "1.8 g/g",
    "pregnant_or_breastfeeding": "no",
    "could_have_children": "no",
    "cancer_history": "no",
    "medicines": "cellcept",
    "infusions": "no",
    "dose:mycophenolate_mofetil": "same dose",
    "plasma_procedure": "no",
    "infection_serious": "no",
    "infection_treated": "no",
    "chronic_infection": "no",
    "surgery_recent": "no",
    "surgery_planned": "no",
    "vaccine_recent": "MMR",
    "vaccine_when:mmr": "in 2024",
}


@pytest.fixture
def screening() -> Screening:
    s = Screening(TRIAL)
    for qid, text in ANSWERS.items():
        assert s.current_question_id() == qid
        assert s.answer(text, TODAY).understood
    return s


@pytest.mark.parametrize(
    ("text", "question", "check"),
    [
        ("actually I'm 45", "age", lambda v: v["min_years"] == 45),
        ("change my age to 52", "age", lambda v: v["min_years"] == 52),
        ("sorry I meant 1.5 g/g", "protein_result", lambda v: v["grams"] == 1.5),
        ("no wait, it was in May", "vaccine_when:mmr", lambda v: v["min_days"] == 178),
        ("correction: I had Shingrix", "vaccine_recent", lambda v: v["items"][0]["id"] == "zoster_recombinant"),
        ("oops I meant yes, an operation is planned", "surgery_planned", lambda v: v == "yes"),
        ("actually I am pregnant", "pregnant_or_breastfeeding", lambda v: v == "yes"),
        ("sorry, I am 5 months along", "pregnant_or_breastfeeding", lambda v: v == "yes"),
        # An illness of one's own is no vaccine against it (test audit 2, M11).
        ("actually I have hepatitis B", "chronic_infection", lambda v: v["items"][0]["id"] == "hepatitis_b"),
        ("我有乙肝", "chronic_infection", lambda v: v["items"][0]["id"] == "hepatitis_b"),
        ("actually I had TB", "chronic_infection", lambda v: v["items"][0]["id"] == "tuberculosis"),
        ("sorry, I'm a hepatitis B carrier", "chronic_infection", lambda v: v["items"][0]["id"] == "hepatitis_b"),
        ("oops, hepatitis B", "chronic_infection", lambda v: v["items"][0]["id"] == "hepatitis_b"),  # no verb
        ("更正：乙肝", "chronic_infection", lambda v: v["items"][0]["id"] == "hepatitis_b"),
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


# A bare yes or no names no answer: it never changes an unrelated one (it used to change the last yes/no).
@pytest.mark.parametrize(
    "text", ["actually", "blah blah", "/correct", "yes", "my cat is called Max", "oops I meant yes"]
)
def test_nothing_is_changed_when_it_is_not_clear(screening: Screening, text: str) -> None:
    assert find_correction(screening, text, TODAY) is None


def test_a_correction_can_end_or_reopen_the_screen(screening: Screening) -> None:
    screening.correct("age", {"min_years": 70, "max_years": 70, "days_to_birthday": None})
    assert screening.result().outcome == "likely_not"
    screening.correct("age", {"min_years": 40, "max_years": 40, "days_to_birthday": None})
    screening.correct("could_have_children", "yes")
    assert screening.current_question_id() == "could_become_pregnant"


def test_a_recap_line_picked_from_the_buttons_asks_that_question_again(screening: Screening) -> None:
    correction = find_correction(screening, "your age", TODAY)
    assert correction is not None and correction.question_id == "age" and correction.ask_again
    screening.forget(correction.question_id)
    assert screening.current_question_id() == "age"


def test_a_pregnancy_correction_never_changes_another_answer(screening: Screening) -> None:
    before = dict(screening.answers)
    correction = find_correction(screening, "actually I am pregnant", TODAY)
    assert correction is not None
    screening.correct(correction.question_id, correction.value)
    changed = {q for q in screening.answers if screening.answers[q] != before.get(q)}
    assert changed == {"pregnant_or_breastfeeding"}
    assert screening.result().outcome == "likely_not"


@pytest.mark.parametrize(
    ("text", "corrects"),
    [
        ("actually I'm 45", True),
        ("sorry, cellcept not imuran", True),
        ("不对，我45岁", True),
        ("刚才说错了，没打过疫苗", True),
        ("change my age to 45", True),
        ("rituximab, but that was about 2 years ago", False),
        ("美罗华，两年前打的", False),
    ],
)
def test_words_that_say_an_answer_is_being_changed(text: str, corrects: bool) -> None:
    """Without them a message the classifier took for a correction answers the open question first."""
    assert says_it_corrects(text) is corrects
