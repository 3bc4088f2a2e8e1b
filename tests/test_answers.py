"""understand(): a free-text answer to one question of the trial file becomes a value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.reading.answers import NotUnderstood, Understood, understand
from bot.trial.model import load_trial

TODAY = date(2026, 11, 25)
TRIAL = load_trial()


def ask(question_id: str, text: str) -> Understood | NotUnderstood:
    return understand(TRIAL.question(question_id), text, TODAY)


def value(question_id: str, text: str) -> Any:
    answer = ask(question_id, text)
    assert isinstance(answer, Understood), f"{text!r} was not understood: {answer}"
    return answer.value


def ago(day: date) -> int:
    return (TODAY - day).days


def days(when: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if when is None else (when["min_days"], when["max_days"])


# --- yes / no / not sure ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),
        ("Yes.", "yes"),
        ("YES!", "yes"),
        ("yeah", "yes"),
        ("yep", "yes"),
        ("yeah i think so", "yes"),
        ("Yes, I was diagnosed with lupus in 2019 by my rheumatologist", "yes"),
        ("of course", "yes"),
        ("是的", "yes"),
        ("no", "no"),
        ("No.", "no"),
        ("nope", "no"),
        ("nope never", "no"),
        ("no never", "no"),
        ("nah, I don't think so", "no"),
        ("没有", "no"),
        ("not sure", "unsure"),
        ("Not sure.", "unsure"),
        ("no idea", "unsure"),
        ("i dont know", "unsure"),
        ("I don't know", "unsure"),
        ("I don’t know", "unsure"),
        ("idk", "unsure"),
        ("maybe", "unsure"),
        ("I can't remember", "unsure"),
        ("不知道", "unsure"),
    ],
)
def test_yes_no_unsure(text: str, expected: str) -> None:
    assert value("lupus_diagnosis", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yess", "yes"), ("yesss", "yes"), ("noo", "no"), ("nooo", "no"), ("not sur", "unsure"), ("dont no", "unsure")],
)
def test_yes_no_unsure_typos(text: str, expected: str) -> None:
    assert value("lupus_diagnosis", text) == expected


@pytest.mark.parametrize("text", ["yes and no", "yes no", "yes, no", "", "   ", "banana", "purple"])
def test_yes_no_not_understood(text: str) -> None:
    assert isinstance(ask("lupus_diagnosis", text), NotUnderstood)


@pytest.mark.parametrize(
    "question_id",
    [
        "age",
        "protein_result",
        "medicines",
        "infusions",
        "plasma_procedure",
        "vaccine_recent",
        "cancer_type",
        "last_dose:rituximab",
        "dose:mycophenolate_mofetil",
    ],
)
def test_empty_answer_is_never_understood(question_id: str) -> None:
    assert isinstance(ask(question_id, ""), NotUnderstood)
    assert isinstance(ask(question_id, "  \n "), NotUnderstood)


# --- medicine lists ----------------------------------------------------------


@pytest.mark.parametrize("text", ["none", "None.", "no", "nope", "nothing", "没有"])
def test_no_medicines(text: str) -> None:
    assert value("medicines", text) == {"none": True, "items": [], "unknown": 0}


@pytest.mark.parametrize(
    ("text", "expected_ids"),
    [
        (
            "mycophenolate, hydroxychloroquine, prednisone",
            ["mycophenolate_mofetil", "hydroxychloroquine", "prednisone"],
        ),
        ("prednisone 10mg daily and HCQ 200 mg twice a day", ["prednisone", "hydroxychloroquine"]),
        ("CellCept", ["mycophenolate_mofetil"]),
        ("I take tacrolimus and benlysta", ["tacrolimus", "belimumab"]),
        ("我在吃吗替麦考酚酯和泼尼松", ["mycophenolate_mofetil", "prednisone"]),
        ("no never. only CAR-T. that was 6 weeks ago", ["car_t"]),  # "T." is no initial
        ("none oh wait ublituximab - the last one was 3 months ago", ["ublituximab"]),  # a no taken back
    ],
)
def test_named_medicines(text: str, expected_ids: list[str]) -> None:
    found = value("medicines", text)
    assert found["none"] is False
    assert [item["id"] for item in found["items"]] == expected_ids
    assert found["unknown"] == 0


def test_medicine_items_carry_class_and_verification() -> None:
    found = value("medicines", "rituximab")
    assert found["items"] == [{"id": "rituximab", "kind": "b_cell_depleter", "verified": True}]


def test_misspelled_medicine_is_unverified() -> None:
    found = value("medicines", "rituximav")
    assert [(i["id"], i["verified"]) for i in found["items"]] == [("rituximab", False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rituximab in May", (ago(date(2026, 5, 31)), ago(date(2026, 5, 1)))),
        ("rituximab on 2026-05-03", (ago(date(2026, 5, 3)),) * 2),
        ("rituximab about 6 months ago", (167, 198)),
    ],
)
def test_inline_time_becomes_last_dose(text: str, expected: tuple[int, int]) -> None:
    found = value("infusions", text)
    assert [item["id"] for item in found["items"]] == ["rituximab"]
    assert days(found["items"][0].get("last_dose")) == expected


def test_each_medicine_keeps_its_own_time() -> None:
    found = value("infusions", "Benlysta last month, rituximab in May")
    by_id = {item["id"]: item for item in found["items"]}
    assert days(by_id["belimumab"]["last_dose"]) == (ago(date(2026, 10, 31)), ago(date(2026, 10, 1)))
    assert days(by_id["rituximab"]["last_dose"]) == (ago(date(2026, 5, 31)), ago(date(2026, 5, 1)))


def test_medicine_without_a_time_has_no_last_dose() -> None:
    found = value("infusions", "rituximab")
    assert "last_dose" not in found["items"][0]


@pytest.mark.parametrize(
    ("text", "expected_ids", "unknown"),
    [
        ("zorblax", [], 1),
        ("I take zorblax", [], 1),
        ("rituximab and zorblax", ["rituximab"], 1),
        ("zorblax, quuxamine", [], 2),
    ],
)
def test_unknown_medicine_is_counted(text: str, expected_ids: list[str], unknown: int) -> None:
    found = value("medicines", text)
    assert found["none"] is False
    assert [item["id"] for item in found["items"]] == expected_ids
    assert found["unknown"] == unknown


@pytest.mark.parametrize("text", ["yes", "yeah", "yes I have"])
def test_bare_yes_to_infusions_asks_which(text: str) -> None:
    answer = ask("infusions", text)
    assert isinstance(answer, NotUnderstood)
    assert answer.hint == "which"


@pytest.mark.parametrize("text", ["not sure", "I don't remember"])
def test_unsure_about_medicines(text: str) -> None:
    assert value("medicines", text) == "unsure"


# --- vaccines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer", "items"),
    [
        ("no", "no", []),
        ("none", "no", []),
        ("not sure", "unsure", []),
        ("yes, MMR", "yes", [("mmr", "live")]),
        ("MMR", "yes", [("mmr", "live")]),
        ("Shingrix", "yes", [("zoster_recombinant", "zoster_recombinant")]),
        ("Zostavax", "yes", [("zoster_live", "zoster_live")]),
        ("a flu shot", "yes", [("flu_injected", "non_live")]),
        ("flu vaccine", "yes", [("flu_unspecified", "type_unknown")]),
        ("flu shot and shingrix", "yes", [("flu_injected", "non_live"), ("zoster_recombinant", "zoster_recombinant")]),
        ("the chickenpox one", "yes", [("varicella", "live")]),
        ("No. Well, chickenppox vaccine 2 weeks ago.", "yes", [("varicella", "live")]),  # a slip of the disease
    ],
)
def test_vaccines(text: str, answer: str, items: list[tuple[str, str]]) -> None:
    found = value("vaccine_recent", text)
    assert found["answer"] == answer
    assert [(i["id"], i["kind"]) for i in found["items"]] == items
    assert found["unknown"] == 0


def test_vaccine_with_a_time() -> None:
    answer = ask("vaccine_recent", "yes, MMR in June")
    assert isinstance(answer, Understood)
    assert [i["id"] for i in answer.value["items"]] == ["mmr"]
    assert days(answer.when) == (ago(date(2026, 6, 30)), ago(date(2026, 6, 1)))


def test_unknown_vaccine_is_counted() -> None:
    found = value("vaccine_recent", "I had the zorblax vaccine")
    assert found == {"answer": "yes", "items": [], "unknown": 1}


def test_bare_yes_to_vaccine_asks_which() -> None:
    answer = ask("vaccine_recent", "yes")
    assert isinstance(answer, NotUnderstood)
    assert answer.hint == "which"


# --- procedures and conditions -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer", "items"),
    [
        ("I am on dialysis", "yes", [("dialysis_unspecified", "dialysis")]),
        ("haemodialysis three times a week", "yes", [("haemodialysis", "dialysis")]),
        ("yes, plasma exchange", "yes", [("plasma_exchange", "plasmapheresis")]),
        ("immunoadsorption", "yes", [("immunoadsorption", "immunoadsorption")]),
        ("血浆置换", "yes", [("plasma_exchange", "plasmapheresis")]),
        ("no", "no", []),
        ("yes", "yes", []),
        ("not sure", "unsure", []),
    ],
)
def test_procedures(text: str, answer: str, items: list[tuple[str, str]]) -> None:
    found = value("plasma_procedure", text)
    assert found["answer"] == answer
    assert [(i["id"], i["kind"]) for i in found["items"]] == items


def test_procedure_with_a_time() -> None:
    answer = ask("plasma_procedure", "plasma exchange on 10 September")
    assert isinstance(answer, Understood)
    assert days(answer.when) == (ago(date(2026, 9, 10)),) * 2


@pytest.mark.parametrize(
    ("question_id", "text", "answer", "items"),
    [
        ("cancer_type", "breast cancer", "yes", [("breast_cancer", "cancer")]),
        ("cancer_type", "basal cell skin cancer", "yes", [("basal_cell_carcinoma", "skin_bcc")]),
        ("cancer_type", "skin cancer", "yes", [("skin_cancer_unspecified", "cancer_unclear")]),
        ("cancer_type", "lymphoma", "yes", [("lymphoma", "cancer")]),
        ("cancer_type", "not sure", "unsure", []),
        ("chronic_infection", "I had hepatitis B", "yes", [("hepatitis_b", "chronic_named")]),
        ("chronic_infection", "hep b.", "yes", [("hepatitis_b", "chronic_named")]),
        ("chronic_infection", "shingles a few years ago", "yes", [("herpes_zoster", "zoster")]),
        ("chronic_infection", "TB", "yes", [("tuberculosis", "chronic_named")]),
        ("chronic_infection", "no", "no", []),
        ("chronic_infection", "none of those", "no", []),
    ],
)
def test_conditions(question_id: str, text: str, answer: str, items: list[tuple[str, str]]) -> None:
    found = value(question_id, text)
    assert found["answer"] == answer
    assert [(i["id"], i["kind"]) for i in found["items"]] == items


def test_infection_question_ignores_cancers() -> None:
    found = value("chronic_infection", "I had hepatitis B and breast cancer")
    assert [i["id"] for i in found["items"]] == ["hepatitis_b"]


def test_cancer_we_do_not_know_is_counted() -> None:
    found = value("cancer_type", "a rare zorblaxoma")
    assert found == {"answer": "yes", "items": [], "unknown": 1}


# --- dose follow-up -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("same dose", "stable"),
        ("It's been the same dose for a year", "stable"),
        ("no change", "stable"),
        ("yes", "stable"),
        ("it went up in August", "changed"),
        ("they lowered it last month", "changed"),
        ("changed", "changed"),
        ("no", "changed"),
        ("I stopped it", "stopped"),
        ("I don't take it any more", "stopped"),
        ("started in October", "started"),
        ("I get it as IV pulses", "pulse"),
        ("not sure", "unsure"),
    ],
)
def test_dose(text: str, expected: str) -> None:
    assert value("dose:mycophenolate_mofetil", text) == expected


def test_dose_nonsense_is_not_understood() -> None:
    assert isinstance(ask("dose:mycophenolate_mofetil", "banana"), NotUnderstood)


# --- lab, age, time ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["120", "ratio 1.0", "PCR 85"])
def test_lab_without_a_unit_asks_for_it(text: str) -> None:
    answer = ask("protein_result", text)
    assert isinstance(answer, NotUnderstood)
    assert answer.hint == "unit"


@pytest.mark.parametrize(
    ("text", "measure", "grams"),
    [
        ("UPCR 1.35 g/g", "upcr", 1.35),
        ("PCR 150 mg/mmol", "upcr", 1.326),
        ("24-hour protein 950 mg", "protein_24h", 0.95),
        ("UACR 1500 mg/g", "uacr", None),
        ("urine protein +++", "dipstick", None),
    ],
)
def test_lab_results(text: str, measure: str, grams: float | None) -> None:
    found = value("protein_result", text)
    assert found["measure"] == measure
    assert found["grams"] == (None if grams is None else pytest.approx(grams, abs=1e-3))


def test_lab_unsure() -> None:
    assert value("protein_result", "I don't know") == "unsure"


@pytest.mark.parametrize(
    ("text", "years"),
    [("34", (34, 34)), ("thirty-four", (34, 34)), ("I'm 34 years old", (34, 34)), ("born in 1961", (64, 65))],
)
def test_age(text: str, years: tuple[int, int]) -> None:
    found = value("age", text)
    assert (found["min_years"], found["max_years"]) == years


@pytest.mark.parametrize("text", ["Type 2 diabetes", "I have 3 kids", "banana"])
def test_not_an_age(text: str) -> None:
    answer = ask("age", text)
    assert isinstance(answer, NotUnderstood)
    assert answer.hint == "age"


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        ("last_dose:rituximab", "about 6 months ago", (167, 198)),
        ("dose_when:mycophenolate_mofetil", "about 3 months ago", (76, 107)),
        ("last_dose:tofacitinib", "2 months ago", (46, 76)),
        ("surgery_when", "in August", (ago(date(2026, 8, 31)), ago(date(2026, 8, 1)))),
        ("vaccine_when:mmr", "yesterday", (1, 1)),
    ],
)
def test_time_answers(question_id: str, text: str, expected: tuple[int, int]) -> None:
    assert days(value(question_id, text)) == expected


@pytest.mark.parametrize("text", ["last year", "a while back"])
def test_time_without_a_date_asks_for_one(text: str) -> None:
    answer = ask("surgery_when", text)
    assert isinstance(answer, NotUnderstood)
    assert answer.hint == "date"


def test_time_unsure() -> None:
    assert value("surgery_when", "I can't remember") == "unsure"


def test_a_question_is_not_an_unknown_medicine() -> None:
    assert isinstance(understand(TRIAL.question("medicines"), "what is lupus?", TODAY), NotUnderstood)
    value = understand(TRIAL.question("medicines"), "is cellcept ok?", TODAY)
    assert not isinstance(value, NotUnderstood) and value.value["items"][0]["id"] == "mycophenolate_mofetil"


@pytest.mark.parametrize(
    "text", ["我不在用美罗华", "no longer on rituximab", "not on rituximab anymore", "没有再用美罗华了"]
)
def test_a_medicine_no_longer_taken_is_still_a_medicine_had(text: str) -> None:
    """The question covers the last 6 months: stopping is not never having had it."""
    assert [i["id"] for i in value("infusions", text)["items"]] == ["rituximab"]


def test_every_question_type_has_a_reader_a_description_and_a_place_in_corrections() -> None:
    """A question type is known in three tables; a new one fails here until it is in each."""
    from bot.reading.answers import READERS
    from bot.session.corrections import _SPECIFIC
    from bot.session.messages import DESCRIBERS
    from bot.trial.model import QUESTION_TYPES

    assert set(READERS) == QUESTION_TYPES
    assert set(DESCRIBERS) == QUESTION_TYPES - {"yes_no", "dose"}  # their answers are words already
    assert set(_SPECIFIC) == QUESTION_TYPES - {"yes_no", "dose"}  # a bare yes, no or "same" names no question
