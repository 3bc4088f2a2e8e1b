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
