"""Every input clinical review 1 reported, with the outcome the sources require (tests/data/review_cases.yml)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.reading.red_flags import find_red_flag
from bot.scoring import LIKELY_NOT, MAY_FIT, OUTCOME_NEEDS_TEAM
from bot.yamlfile import load_yaml
from tests.safety import DATA, Case, outcome

TABLE = load_yaml(DATA / "review_cases.yml")
ROWS: list[dict[str, Any]] = TABLE["cases"]
SCREENS = [r for r in ROWS if r["question"] != "any"]
FLAGS = [r for r in ROWS if r["question"] == "any"]
EXPECT = {
    "not_may_fit": lambda o: o != MAY_FIT,
    "needs_team": lambda o: o == OUTCOME_NEEDS_TEAM,
    "likely_not": lambda o: o == LIKELY_NOT,
    "not_likely_not": lambda o: o != LIKELY_NOT,
}


def _case(row: dict[str, Any]) -> Case:
    # The review's walk: follow-ups it did not set are "same dose" and "not sure".
    defaults = TABLE["defaults"]
    follow = {"dose": defaults["dose"], **{k: str(v) for k, v in (row.get("answers") or {}).items()}}
    return Case("review", row["id"], row["question"], str(row["input"]), time=defaults["dates"], follow=follow)


@pytest.mark.parametrize("row", SCREENS, ids=lambda r: r["id"])
def test_each_screening_case_of_the_review(row: dict[str, Any]) -> None:
    result = outcome(_case(row))
    assert EXPECT[row["expect"]](result), f"{row['input']!r} at {row['question']} ended {result}: {row['why']}"


@pytest.mark.parametrize("row", FLAGS, ids=lambda r: r["id"])
def test_each_red_flag_case_of_the_review(row: dict[str, Any]) -> None:
    flagged = find_red_flag(str(row["input"])) is not None
    assert flagged == (row["expect"] == "red_flag"), f"{row['input']!r}: {row['why']}"


def test_the_table_covers_the_review() -> None:
    assert len(SCREENS) > 100 and len(FLAGS) > 40
    assert {r["expect"] for r in ROWS} >= {"not_may_fit", "needs_team", "likely_not", "not_likely_not", "red_flag"}
