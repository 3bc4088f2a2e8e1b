"""No false "may be a fit": every excluding fact of the independent table, in many natural phrasings.

The facts and what they must not end in come from ``tests/data/safety_facts.yml`` (written from the
domain reference and the clinical review, never from the lexicon or the trial file), and the cases
are composed and played by ``tests/safety.py``: negation and contrast words around the fact, its
position in the sentence, several items with several times, typos, English and Chinese, answered to
the question that asks it and to its neighbours.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.scoring import MAY_FIT
from tests.safety import FACTS, Case, all_cases, holds, outcome

CASES = all_cases()
SETTINGS = settings(max_examples=3000, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _typo(text: str, seed: int) -> str:
    """One slip of the finger: a letter dropped, doubled or swapped, somewhere in the answer."""
    rng = random.Random(seed)
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and ch.isascii()]
    if not letters:
        return text
    i = rng.choice(letters)
    slip = rng.choice(("drop", "double", "swap"))
    if slip == "drop":
        return text[:i] + text[i + 1 :]
    if slip == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1 : i + 2] + text[i] + text[i + 2 :]


@SETTINGS
@given(st.sampled_from(CASES["excluding"]))
def test_an_excluding_fact_never_ends_may_fit(case: Case) -> None:
    result = outcome(case)
    assert holds(case, result), f"{case.question}: {case.text!r} ended {result}"


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(CASES["excluding"]), st.integers(0, 10**6), st.sampled_from(["lower", "upper", "as typed"]))
def test_typos_and_case_never_turn_an_excluding_fact_into_may_fit(case: Case, seed: int, shape: str) -> None:
    text = _typo(case.text, seed)
    text = {"lower": text.lower(), "upper": text.upper()}.get(shape, text)
    slipped = Case(case.section, case.item, case.question, text, case.time, case.dose, follow=case.follow)
    assert outcome(slipped) != MAY_FIT, f"{case.question}: {text!r} ended may_fit"


@pytest.mark.parametrize(
    "case",
    # Every item of the table, for each question it is given to, in each language, at least once
    # (the sample above may miss one).
    list({(c.section, c.item, c.question, c.text.isascii()): c for c in CASES["excluding"]}.values()),
    ids=lambda c: f"{c.item}:{c.question}",
)
def test_every_excluding_item_is_caught(case: Case) -> None:
    result = outcome(case)
    assert holds(case, result), f"{case.question}: {case.text!r} ended {result}"


@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(CASES["two_times"]))
def test_each_item_keeps_its_own_time(case: Case) -> None:
    """ "flu shot in May, chickenpox vaccine 2 weeks ago": the live vaccine is the recent one."""
    assert outcome(case) != MAY_FIT, case.text


@pytest.mark.parametrize("case", CASES["harmless"], ids=lambda c: c.text)
def test_a_harmless_answer_is_never_sent_to_the_study_team(case: Case) -> None:
    assert outcome(case) == MAY_FIT, f"{case.question}: {case.text!r}"


def test_the_table_is_broad() -> None:
    """Thousands of cases from every section, in both languages (a shrunk table would pass the above)."""
    sections = {name for name, s in FACTS["sections"].items() if s["class"] == "excluding"}
    assert {c.section for c in CASES["excluding"]} == sections
    assert len(CASES["excluding"]) > 20_000 and len(CASES["harmless"]) > 500
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in c.text) for c in CASES["excluding"])


@pytest.mark.parametrize("case", CASES["route"], ids=lambda c: c.text)
def test_what_the_study_team_decides_goes_to_the_study_team(case: Case) -> None:
    assert outcome(case) == "needs_team", f"{case.question}: {case.text!r}"


# Found by reading the code adversarially after the table was written (a review of this change).
# Each states an excluding fact, or something only the study team can settle.
ADVERSARIAL = [
    ("cancer_type", "basal cell and prostate", {"cancer_history": "yes", "cancer_removed": "yes"}),
    ("cancer_type", "BCC and SCC", {"cancer_history": "yes", "cancer_removed": "yes"}),
    ("cancer_type", "basal cell and not sure about the other", {"cancer_history": "yes", "cancer_removed": "yes"}),
    (
        "cancer_history",
        "yes, leukemia as a child and a basal cell skin cancer",
        {"cancer_type": "the skin one was basal cell", "cancer_removed": "yes"},
    ),
    ("cancer_history", "得过淋巴瘤和基底细胞癌", {"cancer_type": "基底细胞癌", "cancer_removed": "yes"}),
    ("medicines", "hydroxychloroquine; no longer on tofacitinib", {"last_dose": "3 weeks ago"}),
    ("medicines", "羟氯喹，泼尼松，没有吃托法替布了", {"last_dose": "3 weeks ago"}),
    ("medicines", "I don't take tofacitinib these days", {"last_dose": "3 weeks ago"}),
    ("infusions", "no rituximab except once 2 months ago", {}),
    ("infusions", "no rituximab, apart from once 2 months ago", {}),
    ("medicines", "tacrolimus", {"dose": "same dose for 6 weeks"}),
    ("medicines", "tacrolimus", {"dose": "yes, since October"}),
    ("medicines", "tacrolimus", {"dose": "I am weaning off"}),
    ("medicines", "hydroxychloroquine, prednisone and a new immune pill", {}),
    ("medicines", "hydroxychloroquine and chemo last month", {}),
    ("medicines", "hydroxychloroquine and an experimental medicine", {}),
    ("serious_illness", "no, my diabetes is not under control", {}),
    ("infection_serious", "no, a serious one that keeps coming back", {}),
    ("protein_result", "zero point five grams", {}),
    ("protein_result", "2.1 g/24h last year, 0.8 now", {}),
    ("protein_result", "less than 1.5 g/g", {}),
    ("vaccine_recent", "MMR 1,5 months ago", {}),
    ("infusions", "solumedrol pulses last month", {}),
    ("infusions", "3 days of IV steroids in October", {}),
]


@pytest.mark.parametrize(("question", "text", "follow"), ADVERSARIAL, ids=[a[1] for a in ADVERSARIAL])
def test_adversarial_answers_never_end_may_fit(question: str, text: str, follow: dict[str, str]) -> None:
    result = outcome(Case("adversarial", "-", question, text, time="not sure", follow=follow))
    assert result != MAY_FIT, f"{question}: {text!r} ended {result}"


# Harmless answers the same review found sent to the team or excluded by a misreading.
ORDINARY = [
    ("medicines", "Plaquenil and pred"),
    ("medicines", "HCQ, pred 5 mg daily, vitamin D, calcium"),
    ("medicines", "hydroxychloroquine, sertraline and Ventolin"),
    ("medicines", "hydroxychloroquine and an inhaler for asthma"),
    ("medicines", "hydroxychloroquine and melatonin"),
    ("pregnant_or_breastfeeding", "pregnant: no, breastfeeding: no"),
    ("pregnant_or_breastfeeding", "怀孕？没有"),
    ("medicines", "hydroxychloroquine, and folic acid for pregnancy planning"),
    ("could_have_children", "yes, my wife is pregnant right now"),
]


@pytest.mark.parametrize(("question", "text"), ORDINARY, ids=[o[1] for o in ORDINARY])
def test_ordinary_answers_are_not_misread(question: str, text: str) -> None:
    case = Case("ordinary", "-", question, text, dose="same dose for more than 3 months", expect=MAY_FIT)
    assert outcome(case) == MAY_FIT, f"{question}: {text!r}"


@pytest.mark.parametrize(
    "dose", ["same, 2 tablets a day", "yes 500mg twice a day", "yes, 3 times a week", "same dose for 10 years"]
)
def test_how_often_a_dose_is_taken_is_no_date_of_change(dose: str) -> None:
    case = Case("ordinary", "-", "medicines", "cellcept and hydroxychloroquine", dose=dose, expect=MAY_FIT)
    assert outcome(case) == MAY_FIT, dose
