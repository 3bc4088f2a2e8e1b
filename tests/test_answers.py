"""understand(): a free-text answer to one question of the trial file becomes a value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.reading.answers import NotUnderstood, Understood, understand
from bot.reading.facts import read_facts
from bot.trial.model import load_trial

TODAY = date(2026, 11, 25)
TRIAL = load_trial()
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


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


_INFUSED = ["rituximab", "美罗华", "Benlysta", "贝利尤单抗", "ocrevus", "泰它西普"]
_LAST_DOSE = [
    ("last infusion was in May", True),
    ("my last dose was 3 months ago", True),
    ("last one in early May", True),
    ("五一之前打的最后一次", True),
    ("最后一次是中秋前", True),
    ("春节前打的最后一针", True),
    ("五一的时候打的最后一次", True),
    ("最后一次是去年十月份", True),
    ("another infusion last month", False),
    ("last infusion was something new in October", False),
    ("最后一次打的是别的药，上个月", False),
    ("上个月又输了一次别的", False),
]


@_SETTINGS
@given(name=st.sampled_from(_INFUSED), said=st.sampled_from(_LAST_DOSE), joiner=st.sampled_from([", ", "，", "; "]))
def test_a_clause_that_only_dates_the_last_dose_is_the_medicine_s(
    name: str, said: tuple[str, bool], joiner: str
) -> None:
    """ "美罗华，五一之前打的最后一次" was a second, unknown medicine for the team (a harmless person lost);
    a clause that names another treatment still is one."""
    clause, dates_it = said
    found = value("infusions", f"{name}{joiner}{clause}")
    assert (found["unknown"] == 0) is dates_it, found
    if dates_it:
        assert "last_dose" in found["items"][0]


@pytest.mark.parametrize("name", ["hydroxychloroquine", "硫酸羟氯喹", "prednisone", "吗替麦考酚酯"])
def test_a_last_infusion_beside_a_tablet_is_another_treatment(name: str) -> None:
    """A tablet has no infusions: "hcq, last infusion was in May" names one the team must see."""
    assert value("medicines", f"{name}, last infusion was in May")["unknown"] == 1


@_SETTINGS
@given(
    names=st.lists(
        st.sampled_from(["hcq", "MMF", "rituximab", "pred", "Benlysta", "tacrolimus"]),
        min_size=2,
        max_size=3,
        unique=True,
    ),
    mark=st.sampled_from(["，", "、", "；", "。", "：", "（"]),
)
def test_latin_names_between_chinese_punctuation_are_read(names: list[str], mark: str) -> None:
    """ "hcq，pred" typed on a Chinese keyboard was one unknown word: a person who may fit sent to the team."""
    found = value("medicines", mark.join(names))
    assert len(found["items"]) == len(names) and found["unknown"] == 0, found


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


# --- an illness under control -----------------------------------------------
_ILLNESSES = ["heart failure", "diabetes", "epilepsy", "心衰", "糖尿病", "癫痫", "肝硬化"]


@_SETTINGS
@given(
    lead=st.sampled_from(["", "有", "no, ", "I have ", "没有大病，就是"]),
    illness=st.sampled_from(_ILLNESSES),
    treated=st.sampled_from(["", ", on tablets", "，吃着药", "，打胰岛素"]),
    joiner=st.sampled_from([", ", "，", "，但是", " but ", " ", "，最近"]),
    undone=st.sampled_from(
        [
            "控制得不好",
            "控制得很差",
            "控制得一般",
            "控制得不太好",
            "不稳定",
            "不太稳定",
            "以前挺稳定",
            "不正常",
            "原来控制得挺好",
            "poorly controlled",
            "not well controlled",
            "not stable",
            "was stable until May",
            "barely controlled",
            "used to be well controlled",
            "it's not under control",
            "stable till recently",
        ]
    ),
)
def test_an_illness_said_not_under_control_is_never_a_no(
    lead: str, illness: str, treated: str, joiner: str, undone: str
) -> None:
    """ "心衰，但是控制得不好" and "心衰 控制得很差" were read as "no": "控制得" and "稳定" were reasons
    for a no whatever followed or came before them: a false "may be a fit"."""
    assert ask("serious_illness", f"{lead}{illness}{treated}{joiner}{undone}") != Understood("no")


@_SETTINGS
@given(
    other=st.sampled_from(
        ["heart failure getting worse", "心衰越来越重", "心衰加重", "肝硬化住院了", "my COPD is bad"]
    ),
    joiner=st.sampled_from([", but ", "，但是", "，", " ", ""]),
    controlled=st.sampled_from(
        ["糖尿病控制得挺好", "血压控制得很好", "my diabetes is well controlled", "kidneys stable", "sugars are normal"]
    ),
)
def test_a_reason_with_its_own_subject_does_not_clear_the_illness_before_it(
    other: str, joiner: str, controlled: str
) -> None:
    """ "心衰越来越重，但是糖尿病控制得挺好" was a "no": the control is the diabetes', not the heart's. A
    noun ("血压", "sugars") may be the illness before or something else: the study team reads it."""
    if not joiner and (other.isascii() or controlled.isascii()):
        joiner = " "  # run together only in Chinese
    assert ask("serious_illness", f"{other}{joiner}{controlled}") != Understood("no")


@pytest.mark.parametrize(
    "text",
    [
        "糖尿病,打胰岛素,控制得挺好",
        "有糖尿病，控制得挺好",
        "糖尿病, 二甲双胍控制得挺好",
        "高血压，吃药控制得不错",
        "type 2 diabetis but well controled",
        "no, diabetes but well controlled",
        "copd, on inhalers, stable",
        "糖尿病，血糖控制得挺好的",
        "甲减，吃优甲乐，指标都正常",
        "diabetes, sugars are normal",
    ],
)
def test_an_illness_under_control_is_a_no(text: str) -> None:
    """The control said of the illness, with its medicines between, and without "it" or 但是."""
    assert value("serious_illness", text) == "no"


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        # 是 inside a clause is "is", no yes ("the antibody is positive", "the gallbladder was ... cut")
        ("chronic_infection", "表面抗体是阳性的", None),
        ("surgery_recent", "没有大手术,胆囊是八月中旬切的", None),
        ("lupus_diagnosis", "是的", "yes"),
        ("lupus_diagnosis", "嗯是的", "yes"),
        ("lupus_diagnosis", "确实是", "yes"),
        # 对 inside a word is no "right": a partner (对象, 对像), against (反对), "as for me" (对我来说)
        ("willing", "要问问对象", None),
        ("willing", "我对像不同意", "no"),
        ("willing", "家里人都反对", None),
        ("contraception_agree", "看情况吧，要跟我对像商量下", "unsure"),
        ("willing", "对我来说太远了", None),
        ("willing", "不对", "no"),
        ("lupus_diagnosis", "对对对", "yes"),
        ("lupus_diagnosis", "嗯对，确诊了", "yes"),
        ("lupus_diagnosis", "对的", "yes"),
        # a state undone is no reason for a no
        ("cancer_history", "甲状腺结节，不是良性的", None),
        ("cancer_history", "甲状腺结节，良性的", "no"),
        # a cold is no bad infection, and what else it names answers its own question
        ("infection_serious", "就是普通感冒，没发烧", "no"),
        ("infection_serious", "no, just a cold", "no"),
        ("infection_serious", "just a cold, no fever", "no"),
        ("infection_serious", "a cold that turned into pneumonia", "yes"),
        ("infection_serious", "普通感冒发展成肺炎住院了", "yes"),
        ("infection_serious", "no, just a cold and a high fever", None),
        ("infection_treated", "感冒了，在吃头孢", "yes"),
        # a man whose wife is pregnant; pumping milk is nursing
        ("pregnant_or_breastfeeding", "No, but my wife is expecting, I'm the dad", "no"),
        ("pregnant_or_breastfeeding", "not right now, im pumping for my preemie in the NICU", "yes"),
        # a method they use is a yes to birth control; one they won't use is none
        ("contraception_agree", "上环了，放心", "yes"),
        ("contraception_agree", "不想吃避孕药", None),
        ("contraception_agree", "the pill makes me sick", None),
    ],
)
def test_what_a_yes_no_answer_says(question_id: str, text: str, expected: str | None) -> None:
    answer = ask(question_id, text)
    if expected is None:
        assert not (isinstance(answer, Understood) and answer.value in ("yes", "no")), answer
    else:
        assert answer == Understood(expected) or (isinstance(answer, Understood) and answer.value == expected), answer


@pytest.mark.parametrize(
    ("question_id", "text", "none"),
    [
        ("plasma_procedure", "no, just a blood transfusion last month", True),
        ("plasma_procedure", "no, just a blood transfusion last month, does that count?", True),
        ("plasma_procedure", "输过血, 上个月, 这个算吗", True),
        ("plasma_procedure", "没有, 就是上上周输了两袋血", True),
        ("plasma_procedure", "transfusion and plasma exchange last month", False),
        ("plasma_procedure", "plasma exchange in october, does that count?", False),
        ("infusions", "没有, 就输过白蛋白", True),
        ("infusions", "输过白蛋白，还有美罗华", False),
        ("infusions", "albumin drip, and rituximab in October", False),
    ],
)
def test_a_transfusion_or_albumin_is_no_blood_treatment_nor_lupus_drip(question_id: str, text: str, none: bool) -> None:
    """Domain reference 5D: a blood transfusion is "not this criterion"; albumin is no lupus treatment.
    Said beside one that counts, the one that counts is still read."""
    found = value(question_id, text)
    said_none = found.get("none") is True or found.get("answer") == "no"
    assert said_none is none, found


def test_last_month_name_said_just_after_it_may_be_a_year_back() -> None:
    """ "rituxan, last november" said in December: just past, or a year before; the range covers both."""
    found = understand(TRIAL.question("infusions"), "yes the rituxan, last november", date(2026, 12, 6))
    assert isinstance(found, Understood)
    when = found.value["items"][0]["last_dose"]
    assert when["min_days"] <= 35 and when["max_days"] >= 365


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("plaquenil (my rheum calls it an immunosuppressant lol), prednisolone", False),
        ("硫酸羟氯喹（说明书上写的是免疫抑制剂），醋酸泼尼松", False),
        ("羟氯喹，医生说它是免疫抑制剂", False),
        ("hcq, also an immunosuppressant", True),
        ("hcq (immunosuppressant)", True),
        ("hcq, and an immunosuppressant my doctor calls the new one", True),
        ("免疫抑制剂，说明书上写的", True),
        ("羟氯喹，医生说是免疫抑制剂，另外还在吃一种免疫抑制剂", True),
    ],
)
def test_a_class_word_said_as_the_name_of_a_medicine_before_it_is_no_other_medicine(text: str, generic: bool) -> None:
    """Domain reference 5E: some call hydroxychloroquine an immunosuppressant; that label alone is
    no unnamed immunosuppressant. A class word said as another medicine still is one."""
    ids = [item["id"] for item in value("medicines", text)["items"]]
    assert ("immunosuppressant_unspecified" in ids) is generic, ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有，是我妈要做手术", "no"),
        ("my mum will have knee surgery next month", "no"),
        ("我妈说我下个月要做手术", "yes"),
        ("my mum and I are both having surgery next month", "yes"),
    ],
)
def test_someone_else_s_planned_operation_is_theirs(text: str, expected: str) -> None:
    """Who it is is read before whether it is planned: "是我妈要做手术" was the person's own operation."""
    assert value("surgery_planned", text) == expected


def test_every_question_type_has_a_reader_a_description_and_a_place_in_corrections() -> None:
    """A question type is known in three tables; a new one fails here until it is in each."""
    from bot.reading.answers import READERS
    from bot.session.corrections import _SPECIFIC
    from bot.session.messages import DESCRIBERS
    from bot.trial.model import QUESTION_TYPES

    assert set(READERS) == QUESTION_TYPES
    assert set(DESCRIBERS) == QUESTION_TYPES - {"yes_no", "dose"}  # their answers are words already
    assert set(_SPECIFIC) == QUESTION_TYPES - {"yes_no", "dose"}  # a bare yes, no or "same" names no question


@_SETTINGS
@given(
    no=st.sampled_from(["no", "No.", "nope", "没有", "没", "no cancer"]),
    other=st.sampled_from(["", "my mum had breast cancer", "我妈得过乳腺癌", "my dad had lymphoma"]),
    joiner=st.sampled_from([", ", "，", ", but ", "，不过", ". "]),
    removed=st.sampled_from(
        [
            "I had a thing removed",
            "I had something cut out",
            "had a bit taken off my back last year",
            "I'm all clear now",
            "in remission since 2020",
            "我自己切掉过一个东西",
            "前年割了个东西",
            "切过一个",
            "后来治好了",
        ]
    ),
)
def test_a_no_beside_something_of_their_own_removed_is_not_a_no(no: str, other: str, joiner: str, removed: str) -> None:
    """ "no, my mum had breast cancer, and I had a thing removed" was a plain no to "ever had cancer?":
    "removed" and "thing" were filler, so what was removed (perhaps a cancer) was lost."""
    said = joiner.join(part for part in (no, other, removed) if part)
    assert ask("cancer_history", said) != Understood("no")


@pytest.mark.parametrize(
    "text",
    [
        "no, I had my appendix removed",
        "no, never had anything removed",
        "no, a benign lump removed",
        "没有，甲状腺结节切了，良性的",
        "没有，我妈切过乳腺癌，她现在治好了",
        "no, my dad had a tumour cut out",
    ],
)
def test_a_removal_that_says_what_or_whose_keeps_the_no(text: str) -> None:
    assert ask("cancer_history", text) == Understood("no")


@_SETTINGS
@given(
    lead=st.sampled_from(["", "no, ", "nope ", "没有，", "I'm ", "im "]),
    negation=st.sampled_from(["not ", "not currently ", "现在没", "没", "不", "早就不", "没在"]),
    state=st.sampled_from(["pregnant", "breastfeeding", "nursing", "喂奶", "怀孕", "母乳喂养"]),
    stopped=st.sampled_from(["", " now", " anymore", " any more", "了", " since june"]),
)
def test_a_state_said_not_to_be_now_is_no_pregnancy(lead: str, negation: str, state: str, stopped: str) -> None:
    """ "not pregnant now", "not breastfeeding anymore" and "没喂奶了" were read as pregnant or nursing now
    (a word of stopping made the negation no negation, as for a medicine no longer taken): a lost recruit."""
    if negation.isascii() != state.isascii():
        return  # "not 喂奶": no one types that
    assert ask("pregnant_or_breastfeeding", f"{lead}{negation}{state}{stopped}") != Understood("yes")


@pytest.mark.parametrize("text", ["不能，我已经怀上了，两个月了", "怀上了", "有身孕了", "im pregnant now", "还在喂奶"])
def test_a_pregnancy_now_is_read_wherever_it_is_said(text: str) -> None:
    from bot.reading.clauses import pregnancy_now

    assert pregnancy_now(text) is True


def _everyday_neighbours() -> list[tuple[str, str]]:
    """(phrase, the phrase with one of its words swapped for an everyday English word one edit away, not
    ten times rarer than the word it replaces)."""
    from rapidfuzz.distance import DamerauLevenshtein
    from wordfreq import top_n_list, zipf_frequency

    from bot.reading.words import english, list_pattern

    common = top_n_list("en", 30000)
    swapped = []
    for phrase in english().pregnancy:
        words = phrase.split()
        if len(words) < 2 or not phrase.isascii():
            continue
        for i, word in enumerate(words):
            for other in common:
                if (
                    other != word
                    and len(word) >= 4
                    and zipf_frequency(other, "en") >= 3
                    and zipf_frequency(word, "en") - zipf_frequency(other, "en") < 1
                    and DamerauLevenshtein.distance(other, word) <= 1
                ):
                    said = " ".join([*words[:i], other, *words[i + 1 :]])
                    if not list_pattern("pregnancy").search(said):  # "were expecting" is listed itself
                        swapped.append((phrase, said))
    return swapped


@_SETTINGS
@given(pair=st.sampled_from(_everyday_neighbours()), lead=st.sampled_from(["", "no, ", "turned 19 in may, ", "我 "]))
def test_an_everyday_word_beside_a_pregnancy_phrase_s_words_is_no_slip_of_it(pair: tuple[str, str], lead: str) -> None:
    """ "still feeling tired" was read as "still feeding" (nursing) and "night feels" as "night feeds", at
    any question: the person ruled out (held-out 2026-12-07i, traced from "still feel about 12")."""
    from bot.reading.clauses import pregnancy_mentions

    phrase, swapped = pair
    assert not [m for m in pregnancy_mentions(f"{lead}{swapped} today") if m[2] == "yes"], (phrase, swapped)


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("not pregnant, but I still feed the baby at night", True),  # held-out 2026-12-07i: a false fit
        ("no, I feed the baby formula", None),
        ("no, I fed the baby formula from day one", None),
        ("no, fed the baby myself till she was one", None),  # past: no slip of "feed"
        ("still breastfeeding, plus formula at night", True),  # nursing's own word keeps it nursing
        ("还在喂奶粉", None),
        ("still feeding my baby plus formula", True),  # mixed feeding: nursing still
        ("还在喂奶加奶粉", True),
    ],
)
def test_feeding_with_formula_or_in_the_past_is_no_nursing_now(text: str, now: bool | None) -> None:
    from bot.reading.clauses import pregnancy_now

    assert pregnancy_now(text) is now


@pytest.mark.parametrize("text", ["想怀上", "一直没怀上", "怀上过一次，流掉了", "我老婆怀上了", "不喂奶了"])
def test_a_pregnancy_wished_for_over_or_someone_else_s_is_not_now(text: str) -> None:
    from bot.reading.clauses import pregnancy_now

    assert pregnancy_now(text) is not True


@_SETTINGS
@given(
    infection=st.sampled_from(["UTI", "chest infection", "kidney infection", "尿路感染", "肺部感染"]),
    since=st.sampled_from(["since sept", "since September", "ever since the summer", "自从九月", "从十月开始"]),
    extra=st.sampled_from(["", " honestly", ", 3rd one", "，反反复复"]),
)
def test_an_infection_since_a_time_goes_on_until_today(infection: str, since: str, extra: str) -> None:
    """ "3rd UTI since sept" to "a bad infection in the last 4 weeks?" was a no: September is well before
    the 4 weeks, but "since" says it went on until now."""
    text = f"{since}{infection}{extra}" if since.startswith(("自", "从")) else f"{infection} {since}{extra}"
    assert ask("infection_serious", text) != Understood("no")


@pytest.mark.parametrize(
    ("text", "vaccine"),
    [
        ("flu shot in sept + the yellow fever one 2 wks ago for kenya", "yellow_fever"),
        ("yellow fever 2 weeks ago", "yellow_fever"),
        ("黄热病那个，两周前打的", "yellow_fever"),
        ("the typhoid conjugate one last month", "typhoid_injected"),
    ],
)
def test_what_a_vaccine_is_named_for_names_it_at_a_vaccine_question(text: str, vaccine: str) -> None:
    """ "the yellow fever one 2 wks ago" was lost beside a flu shot: yellow fever is no illness of the lexicon."""
    assert vaccine in {i["id"] for i in value("vaccine_recent", text)["items"]}


@_SETTINGS
@given(
    mine=st.sampled_from(["hydroxychloroquine", "羟氯喹", "pred 5mg"]),
    theirs=st.sampled_from(["methotrexate", "甲氨蝶呤", "cellcept", "他克莫司"]),
    says=st.sampled_from(
        ["{} is my mum's", "the {} was my dad's", "{}是我妈吃的", "{}那是我老公的", "{} is my sister's"]
    ),
)
def test_a_medicine_said_to_be_someone_else_s_after_its_name_is_not_theirs(mine: str, theirs: str, says: str) -> None:
    """ "羟氯喹，强的松。甲氨蝶呤是我妈吃的，我没吃" took the mother's methotrexate as theirs: whose it
    was came after the name."""
    items = value("medicines", f"{mine}, {says.format(theirs)}")["items"]
    assert len(items) == 1


@pytest.mark.parametrize(
    "text",
    [
        "the cellcept was my mum's suggestion, I've been on it 2 months",
        "methotrexate was my doctor's choice",
        "甲氨蝶呤是我妈让我吃的",
        "cellcept is my sister's advice, i take it daily",
    ],
)
def test_whose_idea_a_medicine_was_leaves_it_theirs(text: str) -> None:
    """Only "<item> is my mum's" with nothing after gives it away: "was my mum's suggestion" moved the
    person's own medicine to the mother, a false "may be a fit"."""
    assert value("medicines", text)["items"]


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("cancer_history", "我爸是肺癌，我自己没有"),
        ("cancer_history", "我妈得过乳腺癌，本人没有"),
        ("pregnant_or_breastfeeding", "lol no im a dude"),
        ("pregnant_or_breastfeeding", "Nope! Had my baby in May, she's on formula"),
    ],
)
def test_a_no_with_whose_or_why_is_a_no(question_id: str, text: str) -> None:
    assert ask(question_id, text) == Understood("no")


@pytest.mark.parametrize("text", ["no, only singles", "none except the thing for my nerves", "none, only the usual"])
def test_an_exception_after_a_no_at_the_medicines_question_is_never_none(text: str) -> None:
    """ "no, only singles" (shingles mistyped: an everyday word) was "none": a false "may be a fit"."""
    assert value("medicines", text)["none"] is False


@pytest.mark.parametrize(
    "text", ["no, but I had a small operation", "没有，我妈得过乳腺癌，我自己做过一个小手术", "no, had surgery once"]
)
def test_an_unnamed_operation_of_their_own_beside_a_no_to_cancer_is_asked_again(text: str) -> None:
    assert ask("cancer_history", text) != Understood("no")


@pytest.mark.parametrize(
    "text",
    ["Yes, terbinafine tablets for toenail fungus", "yes. toenail fungus", "是的，灰指甲吃了特比萘芬"],
)
def test_a_yes_for_nail_fungus_alone_at_an_infection_question_is_the_criterion_s_exception(text: str) -> None:
    """Onychomycosis is excepted from the infection criterion: "yes, terbinafine for toenail fungus" to
    "treated for an infection in the last 2 weeks?" ruled a harmless person out."""
    assert ask("infection_treated", text) == Understood("no")


@pytest.mark.parametrize(
    "text", ["yes, antibiotics, and I have toenail fungus", "yes, toenail fungus and a chest infection", "yes"]
)
def test_a_yes_with_more_than_nail_fungus_stays_a_yes(text: str) -> None:
    assert value("infection_treated", text) == "yes"


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("infection_treated", "finished amoxicillin for a tooth infection about 16 days ago"),
        ("infection_treated", "yes, a UTI 3 weeks ago"),
        ("infection_serious", "pneumonia about 5 weeks ago"),
    ],
)
def test_an_infection_dated_near_the_edge_of_its_weeks_is_for_the_team(question_id: str, text: str) -> None:
    """ "about 16 days ago" to "in the last 2 weeks?" was a yes: "likely not", where the team decides."""
    assert value(question_id, text) == "unsure"


def test_an_infection_dated_inside_its_weeks_is_a_yes() -> None:
    assert value("infection_treated", "yes, a UTI 10 days ago") == "yes"


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("infection_serious", "No, I had Covid back in the summer but nothing since"),
        ("infection_serious", "没有，去年夏天得过一次肺炎"),
        ("cancer_history", "No. My mum had breast cancer though."),
        ("serious_illness", "No. My dad has heart failure, not me."),
        ("serious_illness", "我爸有冠心病，我自己没有"),
        ("serious_illness", "no, but my mum has heart failure"),
        ("cancer_history", "没有，就是子宫肌瘤，良性的"),
    ],
)
def test_a_no_beside_what_is_past_or_someone_elses_is_a_no(question_id: str, text: str) -> None:
    """Each was asked again, then sent to the team (held-out set 2026-12-06h): a season as a time, an
    illness the lexicon does not name in a clause about another person, a "though" with nothing after
    it, the 就是 that opened a benign thing's clause."""
    assert ask(question_id, text) == Understood("no")


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("serious_illness", "no. my husband says my heart failure is bad"),
        ("serious_illness", "没有，我妈有心衰，我也有"),
        ("serious_illness", "my mum and I both have bad asthma"),
        ("serious_illness", "no, but my epilepsy"),
    ],
)
def test_a_no_beside_the_persons_own_illness_is_no_plain_no(question_id: str, text: str) -> None:
    assert ask(question_id, text) != Understood("no")


@pytest.mark.parametrize(("question_id", "text"), [("cancer_history", "得过"), ("surgery_recent", "做过，胆囊切了")])
def test_had_it_said_alone_in_chinese_is_a_yes(question_id: str, text: str) -> None:
    assert value(question_id, text) == "yes"


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("infusions", "Yes, rituximab. Two infusions, the last one right after Christmas last year."),
        ("infusions", "美罗华，打了两次，最后一次是春节前"),
        ("medicines", "修美乐 Humira，国庆前就停了"),
        ("infusions", "最近半年没有。利妥昔单抗最后一针是今年春节前打的。"),
    ],
)
def test_doses_counted_and_a_festival_name_no_unknown_medicine(question_id: str, text: str) -> None:
    """ "Two infusions" of the one drip named and "国庆前就停了" were read as an unknown medicine: the team."""
    assert value(question_id, text)["unknown"] == 0


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("infusions", "rituximab, and two infusions of something else"),
        ("medicines", "cellcept, and two injections last month"),
        ("medicines", "羟氯喹，国庆前打了一种针"),
    ],
)
def test_another_treatment_beside_a_count_or_a_festival_is_still_unknown(question_id: str, text: str) -> None:
    assert value(question_id, text)["unknown"] >= 1


@pytest.mark.parametrize(
    "text", ["10月份打了个新冠加强针，鼻子里喷的那种", "covid booster in october, the nasal spray one"]
)
def test_a_vaccine_sprayed_in_the_nose_is_of_a_kind_the_team_checks(text: str) -> None:
    """China's nasal-spray COVID-19 vaccine has a live carrier: "新冠加强针，鼻子里喷的那种" 5 weeks ago was
    read as an injected, non-live booster, a false "may be a fit" (held-out set 2026-12-07)."""
    assert [i["kind"] for i in value("vaccine_recent", text)["items"]] == ["type_unknown"]


@pytest.mark.parametrize("text", ["每年打流感针 不打鼻喷", "flu shot in october, not the nasal one"])
def test_a_spray_said_not_to_be_had_leaves_the_vaccine_as_it_is(text: str) -> None:
    assert [i["kind"] for i in value("vaccine_planned", text)["items"]] == ["non_live"]


@pytest.mark.parametrize(
    "text", ["hcq, pred n some monthly lupus injection, cant remember the name", "pred w/ a weekly shot for my lupus"]
)
def test_a_treatment_joined_by_a_texting_and_is_its_own(text: str) -> None:
    """ "pred n some monthly lupus injection" hid the unknown injection in the prednisone's clause: a false fit."""
    assert value("medicines", text)["unknown"] >= 1


def test_plaq_is_plaquenil() -> None:
    """With "n" a clause break, "plaq n pred" would leave "plaq" (as people text Plaquenil) unknown."""
    found = value("medicines", "plaq n pred")
    assert {i["id"] for i in found["items"]} == {"hydroxychloroquine", "prednisone"} and found["unknown"] == 0


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        ("cancer_history", "mei you", "no"),
        ("infection_serious", "meiyou", "no"),
        ("surgery_planned", "bu da suan", "no"),
        ("contraception_agree", "原意 本来就上着环", "yes"),
        ("willing", "yuanyi", "yes"),
        ("surgery_recent", "nope, just had a wisdom tooth pulled at the dentist, local only", "no"),
    ],
)
def test_pinyin_a_homophone_slip_and_local_only_are_read(question_id: str, text: str, expected: str) -> None:
    """Each was asked again, then sent to the team (held-out set 2026-12-07b)."""
    assert value(question_id, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nope lol my SISTER is, due in feb", "no"),
        ("no, my wife is, due in march", "no"),
        ("my sister is, and I'm pregnant too", "yes"),
        ("no not pregnant, but I'm still feeding my 14-month-old at night", "yes"),
    ],
)
def test_whose_pregnancy_a_clause_after_another_person_tells(text: str, expected: str) -> None:
    """ "my SISTER is, due in feb" was the person's own pregnancy ("likely not"), and "still feeding my
    14-month-old at night" no nursing (a false fit): held-out set 2026-12-07c."""
    assert value("pregnant_or_breastfeeding", text) == expected


@pytest.mark.parametrize("text", ["大概两克多吧，记不清是哪个检查了", "2.1 g/g, not sure which test"])
def test_a_protein_result_of_a_test_not_known_is_for_the_team(text: str) -> None:
    assert value("protein_result", text) == "unsure"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有，打过乙肝疫苗，表面抗体阳性", "no"),
        ("No. My husband has hep B, but I'm vaccinated and my antibodies are fine", "no"),
        ("I have hep B but I'm vaccinated", "yes"),
        ("no, HIV test was negative but hep C positive", "yes"),
    ],
)
def test_protected_or_tested_keeps_a_no_at_the_infections_question(text: str, expected: str) -> None:
    """Vaccinated against hepatitis B, beside a no, went to the team in three held-out sets."""
    assert value("chronic_infection", text)["answer"] == expected


@pytest.mark.parametrize(
    "text",
    ["没有，乙肝表面抗原阴性，核心抗体阳性", "没有，乙肝核心抗体阳性", "没有，乙肝e抗体阳性", "没有，核心抗体阳性"],
)
def test_a_core_or_e_antibody_positive_is_not_a_plain_no(text: str) -> None:
    """A core or e antibody tells of hepatitis B had: only the surface antibody a vaccine makes keeps a no."""
    assert ask("chronic_infection", text) != Understood({"answer": "no", "items": [], "unknown": 0})


@pytest.mark.parametrize(
    ("question_id", "text", "kept"),
    [
        ("medicines", "骁悉 没打过针", "mycophenolate_mofetil"),
        ("medicines", "羟氯喹 没打过针", "hydroxychloroquine"),
    ],
)
def test_a_negation_past_a_space_with_a_thing_of_its_own_is_the_next_things(
    question_id: str, text: str, kept: str
) -> None:
    """ "骁悉 没打过针" (a space for a comma) read the CellCept as never taken: "none", a false fit."""
    assert kept in {i["id"] for i in value(question_id, text)["items"]}


@pytest.mark.parametrize("text", ["美罗华 没打过", "美罗华 贝利尤 那些都没打过", "美罗华没打过"])
def test_a_negation_past_a_space_with_nothing_of_its_own_is_the_things_before(text: str) -> None:
    answer = ask("infusions", text)
    assert not (isinstance(answer, Understood) and answer.value["items"])


def test_a_treatment_a_space_parts_from_a_named_medicine_is_unknown() -> None:
    """ "羟氯喹 强的松 还在喝中药汤药 不晓得里面都有啥": the herbal decoction was lost in the list's clause."""
    assert value("medicines", "羟氯喹 强的松 还在喝中药汤药 不晓得里面都有啥")["unknown"] >= 1
    assert value("medicines", "羟氯喹 强的松")["unknown"] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("拔牙了 医生开了头胞 说是预防的", None), ("no, I take bactrim every day to prevent infections", "no")],
)
def test_a_course_after_a_procedure_is_no_daily_prevention(text: str, expected: str | None) -> None:
    """A course of antibiotics "to prevent" after a tooth out was read as daily prevention: a false fit."""
    answer = ask("infection_treated", text)
    assert (answer == Understood(expected)) if expected else not isinstance(answer, Understood)


@pytest.mark.parametrize("text", ["not right now, already expecting! 12 weeks", "现在不行 肚子里已经揣了一个 4个月了"])
def test_a_pregnancy_said_at_the_children_question_answers_the_pregnancy_one(text: str) -> None:
    assert any(f.category == "pregnancy" and f.standing == "yes" for f in read_facts(text, TODAY))


# 2026-12-07 (the fold of held-out set 2026-12-07e): three Chinese names with a homophone slip, a
# space from the names read, were dropped and the person told "may be a fit" (恩替卡为 for entecavir,
# a hepatitis B medicine; 昆明山海堂 for an immunosuppressant), as was "tacro" in "hcq pred tacro".
_KNOWN = ["羟氯喹", "泼尼松", "强的松", "美卓乐", "纷乐"]
_SLIPS = ["恩替卡为", "昆明山海堂片", "雷公腾", "他克莫思", "吗替麦考分酯", "来氟米待"]


@_SETTINGS
@given(
    known=st.lists(st.sampled_from(_KNOWN), min_size=1, max_size=3, unique=True),
    slip=st.sampled_from(_SLIPS),
    where=st.integers(0, 3),
    gap=st.sampled_from([" ", "  ", "　"]),
)
def test_a_chinese_name_not_known_a_space_from_known_ones_is_an_unknown_medicine(
    known: list[str], slip: str, where: int, gap: str
) -> None:
    names = [*known]
    names.insert(min(where, len(names)), slip)
    read = value("medicines", gap.join(names))
    slipped = [i for i in read["items"] if not i["verified"]]  # read by its sound (tools/name_sounds.py)
    assert read["unknown"] >= 1 or slipped, gap.join(names)


@pytest.mark.parametrize("text", ["hcq pred frobnizumab", "plaquenil zorvatenib prednisone", "hcq xeltrinib"])
def test_an_english_word_no_word_list_holds_beside_named_medicines_is_an_unknown_one(text: str) -> None:
    assert value("medicines", text)["unknown"] >= 1


@pytest.mark.parametrize(
    "text",
    [
        "hcq 200mg bid, pred 5mg od",
        "plaquenil and prednisone 10 mg every morning",
        "羟氯喹，激素上个月从八片减到四片了",
        "no, only iron drips for my anaemia over the summer",
        "hcq and pred, the rheum upped the pred",
    ],
)
def test_dose_and_reason_words_beside_named_medicines_are_no_other_medicine(text: str) -> None:
    assert value("medicines", text)["unknown"] == 0


def test_a_vaccine_named_by_an_unknown_word_is_an_unknown_vaccine() -> None:
    read = value("vaccine_recent", "新冠加强针六月份，甲干疫苗上周打的，不知道是不是减毒的")
    hepatitis_a = [i for i in read["items"] if i["id"].startswith("hepatitis_a")]  # 甲干 read as it sounds
    assert read["unknown"] == 1 or (hepatitis_a and not hepatitis_a[0]["verified"])
    assert read["items"][0]["when"]["min_days"] > 140  # 六月份 is the booster's, not 上周
    assert value("vaccine_recent", "打了个疫苗，叫什么宝宝疫苗")["unknown"] == 1
    assert value("vaccine_recent", "打了重组带状疱疹疫苗，就是要打两针的那种")["unknown"] == 0


@pytest.mark.parametrize("kin", ["嫂子", "弟媳", "表妹", "闺蜜", "同事"])
def test_a_relative_s_pregnancy_is_not_the_person_s(kin: str) -> None:
    assert value("pregnant_or_breastfeeding", f"没有没有，是我{kin}怀了二胎") == "no"


@pytest.mark.parametrize("name", ["belimumab", "Benlysta", "rituximab", "telitacicept"])
@pytest.mark.parametrize("said", ["last drip was in august", "the last drip was early August", "final drip in August"])
def test_a_clause_that_dates_the_last_drip_is_the_medicine_s(name: str, said: str) -> None:
    """ "belimumab, last drip was early august" was a second, unknown treatment (2026-12-07e)."""
    read = value("infusions", f"yes, {name}, {said}")
    assert read["unknown"] == 0 and read["items"][0]["last_dose"]["min_days"] > 60


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("每年都打流感 打针那种", "non_live"),
        ("打了流感疫苗，胳膊上打的那种", "non_live"),
        ("flu vaccine in the arm", "non_live"),
        ("流感疫苗，不是打针那种，鼻子里喷的", "type_unknown"),
        ("流感疫苗 不是打针的", "type_unknown"),
        ("flu vaccine, not the injection", "type_unknown"),
        ("流感疫苗", "type_unknown"),
    ],
)
def test_a_flu_vaccine_said_to_be_injected_is_the_flu_shot(text: str, kind: str) -> None:
    assert value("vaccine_recent", text)["items"][0]["kind"] == kind


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("雷公腾", "tripterygium"),
        ("奥美拉挫", "omeprazole"),
        ("恩替卡为", "entecavir"),
        ("昆明山海堂片", "tripterygium_hypoglaucum"),
        ("他克莫思", "tacrolimus"),
        ("吗替麦考分酯", "mycophenolate_mofetil"),
    ],
)
def test_a_chinese_name_typed_with_one_homophone_is_read_as_meant_and_unverified(typed: str, meant: str) -> None:
    """The input method's wrong candidate (tools/name_sounds.py): an unverified excluding medicine goes to the
    study team, an unverified harmless one counts for nothing, as an English misspelling does."""
    items = value("medicines", f"羟氯喹 {typed}")["items"]
    assert {"id": meant, "verified": False} in [{"id": i["id"], "verified": i["verified"]} for i in items]


# --- how people said it in the held-out sets 2026-12-07g and h ----------------
def said(question_id: str, text: str) -> str:
    """The answer as the screen takes it: yes, no, unsure, or "asked" (asked again)."""
    answer = ask(question_id, text)
    if isinstance(answer, NotUnderstood):
        return "asked"
    found = answer.value
    if isinstance(found, dict):
        if "none" in found:
            return "no" if found["none"] else "yes"
        return str(found["answer"])
    return str(found)


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        # idioms that hold a "no" are neither answer
        ("contraception_agree", "sure, we'd use condoms, no problem", "yes"),
        ("willing", "yes, 我在苏州, the 高铁 is about an hour, no big deal", "yes"),
        ("contraception_agree", "no problem", "asked"),
        ("contraception_agree", "no, no worries", "no"),
        # a Latin word is a word beside Chinese: the OK of "OK的"
        ("contraception_agree", "OK的，戴套就行", "yes"),
        # 会 inside a word (那会儿, 机会) is no yes; 会 on its own is one
        ("infection_treated", "没有，上次吃头孢是国庆那会儿了", "no"),  # 头孢 (an antibiotic) dated in October
        ("willing", "会", "yes"),
        # an antibiotic is a treatment for an infection: dated, it answers; undated beside a no, it is asked
        ("infection_treated", "amoxicillin", "yes"),
        ("infection_treated", "no, amoxicillin was back in august", "no"),
        ("infection_treated", "no, just amoxicillin", "asked"),
        ("infection_treated", "yes, amoxicillin for a uti, finished it last week", "yes"),
        # (around Halloween, said on 25 November, may be inside the 2 weeks or not: the team checks)
        (
            "infection_treated",
            "no. had nitrofurantoin for a bladder infection but finished it around Halloween",
            "unsure",
        ),
        ("medicines", "hcq, pred and amoxicillin for a tooth", "yes"),
        # the internet's 木有 is a no
        ("infection_serious", "木有", "no"),
        # a cold beside everyday words is no bad infection; beside care it is asked about again
        ("infection_serious", "nah just a cold, 2 days home on the couch, no meds", "no"),
        ("infection_serious", "木有 前阵子小感冒 没吃药两天就好了", "no"),
        ("infection_serious", "no just a cold but ended up in hospital on a drip", "asked"),
        ("infection_serious", "no, only a cold, stayed in bed on antibiotics", "asked"),
        ("infection_serious", "没有，就是感冒了，后来住院挂了几天水", "asked"),
        # "but nothing else" leaves a no a no; "but something else" does not
        ("infection_treated", "No. I take Bactrim every day to prevent infection, but nothing else.", "no"),
        (
            "infection_treated",
            "No. I'm on Bactrim every day but my doctor said that's just to stop me getting PCP",
            "no",
        ),
        ("infection_treated", "no but something else, a uti", "yes"),
        # the nail fungus the criterion excepts, and the words of its care
        ("infection_treated", "没有，只有脚上灰指甲在抹药膏，fungus那种", "no"),
        ("infection_treated", "only 灰指甲 cream on my big toe, that's a fungus right? nothing else", "no"),
        ("infection_treated", "Only terbinafine cream for toenail fungus.", "no"),
        ("infection_serious", "没有，就灰指夹，好多年了", "no"),  # 灰指夹: a homophone slip of 灰指甲
        ("infection_treated", "toenail fungus and a chest infection on amoxicillin", "yes"),
        ("infection_treated", "灰指甲，还有尿路感染在吃左氧", "yes"),
        ("infection_treated", "nail fungus, and antibiotics for my tooth last week", "yes"),
        # a transfusion's cause in everyday words says nothing more; a procedure in it does
        (
            "plasma_procedure",
            "No. I did have a blood transfusion in August after a heavy period, if that counts?",
            "no",
        ),
        ("plasma_procedure", "no, a blood transfusion last month after a weird procedure for my blood", "asked"),
        # "not me": the rest is the husband's; what the person adds of their own counts
        ("surgery_planned", "not me, my husband's getting his knee done in the spring", "no"),
        ("surgery_planned", "not me, my husband. and I have a knee op in january", "yes"),
        # someone else's cancer, and the checks the person goes for
        ("cancer_history", "No, but my mom had breast cancer twice, so I get checked a lot", "no"),
        ("cancer_history", "没有，我妈得过乳腺癌，所以我每年体检", "no"),
        ("cancer_history", "no but I get checked a lot and they found a lump", "asked"),
        # the hepatitis B surface antibody (anti-HBs) alone is immunity; the surface antigen is not
        ("chronic_infection", "没有，乙肝疫苗打过的，表面抗体是阳性", "no"),
        ("chronic_infection", "没有，表面抗原是阳性", "asked"),
        ("chronic_infection", "乙肝表面抗体阳性，核心抗体也是阳性", "yes"),
        # a controlled illness, said with the words people use
        ("serious_illness", "I have an underactive thyroid but it's sorted, levels are normal on levothyroxine", "no"),
        ("serious_illness", "甲减，一直吃优甲乐，甲功都正常的", "no"),
        ("serious_illness", "甲减，优甲乐吃着，指标都正长", "no"),
        ("serious_illness", "心衰，指标不正常", "asked"),
        # someone else's, and then the person's too: a live vaccine the person needs is no "no"
        ("vaccine_planned", "孩子要打疫苗算吗？我自己不用打", "no"),
        ("vaccine_planned", "my son needs the MMR and so do I", "yes"),
        ("vaccine_planned", "my son needs the MMR, and me too", "yes"),
        ("vaccine_planned", "我儿子要打麻腮风，我也要", "yes"),
        ("vaccine_planned", "我妈要打带状疱疹疫苗，我不用", "no"),
        # a plan is not whether one could have a child: asked again, never a no
        ("could_have_children", "not planning any more kids, so no I guess", "asked"),
        ("could_have_children", "暂时不打算要", "asked"),
        ("could_become_pregnant", "no, not planning to", "asked"),
        ("could_have_children", "no, I had my tubes tied and don't want more anyway", "no"),
        ("could_have_children", "不打算要了，已经结扎了", "no"),
        # nursing now, said as a verb or with the input method's 为 for 喂; formula is no nursing
        ("pregnant_or_breastfeeding", "not pregnant, but I still nurse my little one at bedtime", "yes"),
        ("pregnant_or_breastfeeding", "没怀孕，但还在为奶，宝宝8个月了", "yes"),
        ("pregnant_or_breastfeeding", "no. I nursed my son till he was 1, he's 6 now", "asked"),
        ("pregnant_or_breastfeeding", "no I still nursed him when I was sick in 2019", "asked"),
        ("pregnant_or_breastfeeding", "no, I'm a nurse", "asked"),
        ("pregnant_or_breastfeeding", "没有，宝宝喂奶粉", "no"),
    ],
)
def test_held_out_wordings_are_read_as_the_person_meant(question_id: str, text: str, expected: str) -> None:
    assert said(question_id, text) == expected


@_SETTINGS
@given(
    lead=st.sampled_from(["no, just a cold", "nah only a cold", "没有，就是感冒了", "no, a cold"]),
    care=st.sampled_from(
        ["in hospital", "on a drip", "on antibiotics", "went to the ER", "住院了", "输液", "挂了水", "吃了抗生素"]
    ),
    joiner=st.sampled_from([" but ", ", ", "，后来", " and "]),
)
def test_a_cold_with_care_given_is_never_a_plain_no(lead: str, care: str, joiner: str) -> None:
    """Everyday words beside a cold are filler, but never the words of care: a cold that took someone to
    hospital or onto a drip may be the bad infection the question asks about."""
    assert said("infection_serious", f"{lead}{joiner}{care}") != "no"


@_SETTINGS
@given(
    plan=st.sampled_from(
        ["not planning any more kids", "don't want kids", "no plans for kids", "不打算要", "暂时不想要", "没打算生"]
    ),
    no=st.sampled_from(["no", "nope", "没有", "不", ""]),
    joiner=st.sampled_from([", ", "，", " so ", " "]),
)
def test_a_plan_is_never_read_as_unable_to_have_a_child(plan: str, no: str, joiner: str) -> None:
    """ "No" to "could you have a child?" skips birth control; a plan or a wish is no such no."""
    for text in (f"{no}{joiner}{plan}", f"{plan}{joiner}{no}"):
        assert said("could_have_children", text) != "no"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no. had rituxan but that was 2024", (650, 1100)),  # a bare year dates the one drip named
        ("yes, Benlysta, but the last drip was beginning of September and none since", None),
    ],
)
def test_a_time_said_apart_from_the_one_drip_named_dates_it(text: str, expected: tuple[int, int] | None) -> None:
    found = value("infusions", text)
    assert found["unknown"] == 0
    when = found["items"][0].get("last_dose")
    if expected:
        assert when and expected[0] <= when["min_days"] <= when["max_days"] <= expected[1]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("基底细胞癌，长在鼻子旁边。", 0),
        ("basal cell, on the side of my nose", 0),
        ("basal cell on my nose, and one in my lung", 1),
    ],
)
def test_where_on_the_skin_a_cancer_grew_names_no_second_one(text: str, unknown: int) -> None:
    assert value("cancer_type", text)["unknown"] == unknown


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("俺就吃羟氯喹跟激素。俺老公在打修美乐，那是他强直的药，不是俺的", 0),
        ("hcq and pred. my husband takes humira, it's for his spine thing", 0),
    ],
)
def test_what_follows_someone_elses_medicine_and_speaks_of_them_is_theirs(text: str, unknown: int) -> None:
    found = value("medicines", text)
    assert found["unknown"] == unknown and "adalimumab" not in [i["id"] for i in found["items"]]


def test_a_medicine_typed_with_u_for_the_umlaut_is_read_as_meant() -> None:
    """羟录喹 (lu) for 羟氯喹 (lü, typed "lv"): the input method's candidate for "lu"."""
    items = value("medicines", "羟录喹 泼尼松")["items"]
    assert {"id": "hydroxychloroquine", "verified": False} in [
        {"id": i["id"], "verified": i["verified"]} for i in items
    ]


@pytest.mark.parametrize(
    ("text", "grams"),
    [("24 hr urine was 2.3 grms last month", 2.3), ("2.3 gms in 24 hours", 2.3), ("800 mgs in 24 hours", 0.8)],
)
def test_slips_of_grams_are_grams(text: str, grams: float) -> None:
    assert value("protein_result", text)["grams"] == pytest.approx(grams)
