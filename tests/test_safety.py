"""No false "may be a fit": every excluding fact of the independent table, in many natural phrasings.

The facts and what they must not end in come from ``tests/data/safety_facts.yml`` (written from the
domain reference and the clinical review, never from the lexicon or the trial file), and the cases
are composed and played by ``tests/safety.py``: negation and contrast words around the fact, its
position in the sentence, several items with several times, typos, English and Chinese, answered to
the question that asks it and to its neighbours.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import PROJECT_ROOT
from bot.reading.answers import understand
from bot.reading.terms import find_terms
from bot.reading.typos import everyday
from bot.scoring import MAY_FIT
from bot.trial.model import load_trial
from tests.safety import FACTS, HARMLESS, MUST_NOT_FIT, Case, all_cases, holds, outcome, report

CASES = all_cases()
# The sample changes every day (and is printed with any failure), so over time every case is
# played; SAFETY_SEED replays a day's sample.
SEED = int(os.environ.get("SAFETY_SEED") or date.today().strftime("%Y%m%d"))
TRIAL = load_trial()


def _language(case: Case) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in case.text) else "en"


def stratified(cases: Iterable[Case], per_stratum: int, seed: int = SEED) -> list[Case]:
    """Up to ``per_stratum`` cases of each section, language, question and expectation: a sample that
    represents every criterion, not the first items of the list (test audit 2, §1.4)."""
    strata: dict[tuple[str, str, str, str], list[Case]] = defaultdict(list)
    for case in cases:
        strata[(case.section, _language(case), case.question, case.expect)].append(case)
    rng = random.Random(seed)
    return [c for key in sorted(strata) for c in rng.sample(strata[key], min(per_stratum, len(strata[key])))]


def _check(case: Case) -> None:
    result = outcome(case)
    assert holds(case, result), f"{case.question}: {case.text!r} ended {result} (expected {case.expect}; seed {SEED})"


SAMPLES = {
    "excluding": stratified(CASES["excluding"], 40),
    "composed": stratified(CASES["composed"], 25),
    "far_negations": stratified(CASES["far_negations"], 15),
    "two_times": stratified(CASES["two_times"], 30),
    "margins": CASES["margins"],
    "outside": stratified(CASES["outside"], 12),
    "stable": CASES["stable"],
    "someone_else": stratified(CASES["someone_else"], 10),
}


@pytest.mark.parametrize(
    ("group", "case"),
    [(group, case) for group, cases in SAMPLES.items() for case in cases],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_case_of_a_stratified_sample_ends_as_the_table_says(group: str, case: Case) -> None:
    _check(case)


def _typo_in(text: str, item: str, seed: int) -> str:
    """One slip of the finger inside the item's own name: a letter dropped, doubled or swapped."""
    at = text.lower().find(item.lower())
    letters = [at + i for i, ch in enumerate(item) if ch.isascii() and ch.isalpha()]
    if at < 0 or len(letters) < 6:
        return text
    rng = random.Random(seed)
    i = rng.choice(letters[1:-1])
    slip = rng.choice(("drop", "double", "swap"))
    if slip == "drop":
        return text[:i] + text[i + 1 :]
    if slip == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _named(section: str, question: str) -> list[tuple[str, str]]:
    """(question, phrasing) of the table's Latin single-word names of 6+ letters."""
    found = []
    for item in FACTS["sections"][section]["items"]:
        found += [(item.get("question", question), p) for p in item["en"] if p.isalpha() and len(p) >= 6]
    return found


TYPO_NAMES = [
    n for s in ("b_cell_depleters", "biologics_and_jak", "immunosuppressants") for n in _named(s, "medicines")
]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TYPO_NAMES), st.integers(0, 10**6))
def test_a_slip_in_a_medicine_name_is_still_read_as_a_medicine(named: tuple[str, str], seed: int) -> None:
    """ "Ritixumab", "tacrolimsu": read as the medicine, unverified, so the study team checks it."""
    question, phrase = named
    slipped = _typo_in(phrase, phrase, seed)
    if slipped.lower() == phrase.lower() or everyday(slipped.lower()):
        return  # a slip that makes another real word ("Imran") cannot be told from it
    found = find_terms(slipped, ("medicine",))
    assert found, f"{slipped!r} (a slip of {phrase!r}) is not read as any medicine"
    read = understand(TRIAL.question(question), f"{slipped} 3 weeks ago", date(2026, 11, 25))
    assert getattr(read, "value", {}).get("items"), f"{slipped!r} at {question}: {read}"


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(stratified(CASES["excluding"] + CASES["composed"], 20)), st.integers(0, 10**6))
def test_a_slip_in_an_excluding_answer_never_turns_it_into_may_fit(case: Case, seed: int) -> None:
    phrase = next((p for p in case.text.split() if len(p) >= 6 and p.isascii()), "")
    slipped = Case(case.section, case.item, case.question, _typo_in(case.text, phrase, seed), case.time, case.dose)
    slipped = Case(**{**slipped.__dict__, "follow": case.follow})
    assert outcome(slipped) != MAY_FIT, f"{case.question}: {slipped.text!r} (seed {SEED})"


def test_the_table_is_broad() -> None:
    """Thousands of cases from every section, in both languages (a shrunk table would pass the above)."""
    sections = {name for name, s in FACTS["sections"].items() if s["class"] == "excluding"}
    assert {c.section for c in CASES["excluding"]} == sections
    assert len(CASES["excluding"]) > 20_000 and len(CASES["harmless"]) > 500
    assert {c.section for c in CASES["composed"]} >= sections - {
        "cancers",
        "chronic_infections",
        "pregnancy_breastfeeding",
    }
    assert {_language(c) for c in SAMPLES["composed"]} == {"en", "zh"}


@pytest.mark.parametrize("case", CASES["harmless"], ids=lambda c: c.text)
def test_a_harmless_answer_is_never_sent_to_the_study_team(case: Case) -> None:
    assert outcome(case) == MAY_FIT, f"{case.question}: {case.text!r}"


@pytest.mark.parametrize("case", CASES["route"], ids=lambda c: c.text)
def test_what_the_study_team_decides_goes_to_the_study_team(case: Case) -> None:
    assert outcome(case) == "needs_team", f"{case.question}: {case.text!r}"


def test_a_slice_of_the_full_report_agrees_with_the_committed_figures() -> None:
    """`make safety-report` plays every case (minutes); a slice of each group is played here, and its
    figures must agree with the committed ones (docs/safety-report.json), so they cannot go stale."""
    committed = json.loads((PROJECT_ROOT / "docs" / "safety-report.json").read_text(encoding="utf-8"))["figures"]
    played = report({group: stratified(cases, 2, seed=SEED + 1) for group, cases in CASES.items()})["figures"]
    assert set(played) <= set(committed) | {"harmless_sent_to_team_rate"}, "the report's groups changed: rerun it"
    for group in CASES:
        assert committed[group]["cases"] == len(CASES[group]), f"{group}: the table changed, rerun the report"
        if committed[group]["failed"] == 0:
            assert played[group]["failed"] == 0, f"{group}: a failure the committed report does not have"
    if committed["false_may_fit"] == 0:
        assert played["false_may_fit"] == 0
    assert set(MUST_NOT_FIT) | set(HARMLESS) <= set(CASES)


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
