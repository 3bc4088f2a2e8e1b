"""Chinese numbers, dates, festivals and ages (bot/reading/chinese.py, festivals.py, times.py, ages.py).

The dates and durations, with the days each can mean, come from the independent table
(tests/data/safety_facts.yml `compose`, written from the domain reference for a `today`): what the
reader takes a phrase to mean must cover the whole span the table gives, because a narrower reading
can put an answer near a window's edge on the wrong side of it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reading.ages import parse_age
from bot.reading.chinese import numerals
from bot.reading.festivals import festival_day, from_festival
from bot.reading.labs import parse_protein
from bot.reading.times import parse_days_ago, started
from tests.safety import FACTS

COMPOSE = FACTS["compose"]
TODAY = date.fromisoformat(str(COMPOSE["today"]))
DATES = [(e["text"], tuple(e["days"])) for lang in ("en", "zh") for e in COMPOSE["absolute_dates"][lang]]
DURATIONS = [(e["text"], tuple(e["days"])) for e in COMPOSE["chinese_numbers"]["durations"]]


@pytest.mark.parametrize(("text", "days"), DATES + DURATIONS, ids=[t for t, _ in DATES + DURATIONS])
def test_a_date_or_span_covers_what_the_table_says_it_can_mean(text: str, days: tuple[int, int]) -> None:
    found = parse_days_ago(text, TODAY)
    assert found is not None, text
    assert found.min_days <= days[0] and found.max_days >= days[1], (text, found, days)
    assert found.max_days - found.min_days <= max(3 * (days[1] - days[0]), 62), "so wide it says nothing"


@pytest.mark.parametrize(
    "entry", [e for e in COMPOSE["chinese_numbers"]["amounts"] if e["unit"] in ("g", "mg")], ids=lambda e: e["text"]
)
def test_chinese_amounts_of_protein(entry: dict[str, object]) -> None:
    result = parse_protein(f"24小时尿蛋白{entry['text']}")
    assert result is not None and result.measure == "protein_24h"
    scale = 0.001 if entry["unit"] == "mg" else 1.0
    span: list[Any] = list(entry.get("range") or (entry["value"], entry["value"]))  # type: ignore[call-overload]
    assert (result.grams, result.grams_max) == pytest.approx((float(span[0]) * scale, float(span[1]) * scale))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两三周", "2-3周"),  # cn2an alone reads 23
        ("一两个月", "1-2个月"),
        ("三十四岁", "34岁"),
        ("二零二六年九月", "2026年9月"),
        ("一直没变", "一直没变"),  # a word, not a number
        ("一样", "一样"),
    ],
)
def test_numerals_become_digits_only_as_numbers(text: str, expected: str) -> None:
    assert numerals(text) == expected


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("62年生的", (63, 64)),  # born 1962, not aged 62
        ("1962年生", (63, 64)),
        ("1962年生的", (63, 64)),
        ("58年属狗", (67, 68)),
        ("1991年5月出生", (35, 35)),  # not aged 5
        ("1991年5月3日", (35, 35)),
        ("三十四岁", (34, 34)),
        ("虚岁67", (65, 66)),  # a nominal age counts the year of birth
        ("九零后", (26, 36)),
        ("I was born in 1962", (63, 64)),
    ],
)
def test_chinese_ages_and_birth_years(text: str, years: tuple[int, int]) -> None:
    age = parse_age(text, TODAY)
    assert age is not None and (age.min_years, age.max_years) == years, text


NOMINAL_FRAMES = [
    "虚岁{n}",
    "今年虚岁{n}",
    "虚岁是{n}岁",
    "按虚岁算{n}",
    "{n}岁（虚岁）",
    "{n}虚岁",
    "我{n}，虚岁的",
    "{n}岁，按虚岁",
]
EXACT_FRAMES = ["{n}周岁", "周岁{n}", "年满{n}周岁", "实岁{n}", "虚岁{m}，周岁{n}", "刚满{n}周岁"]


def chinese_number(n: int) -> str:
    import cn2an

    return str(cn2an.an2cn(n))


@given(st.integers(3, 99), st.sampled_from(NOMINAL_FRAMES), st.booleans())
def test_a_nominal_age_is_one_or_two_years_more_than_the_age(n: int, frame: str, in_words: bool) -> None:
    """虚岁 counts the year of birth as one and adds one at the new year: the age is n-2 or n-1."""
    age = parse_age(frame.format(n=chinese_number(n) if in_words else n), TODAY)
    assert age is not None and (age.min_years, age.max_years) == (n - 2, n - 1), frame


@given(st.integers(3, 99), st.sampled_from(EXACT_FRAMES), st.booleans())
def test_a_full_age_is_the_age(n: int, frame: str, in_words: bool) -> None:
    said = frame.format(n=chinese_number(n) if in_words else n, m=n + 1)
    age = parse_age(said, TODAY)
    assert age is not None and (age.min_years, age.max_years) == (n, n), said


@pytest.mark.parametrize(
    ("said", "outcome"),
    [
        *[("虚岁19", "needs_team"), ("19岁（虚岁）", "needs_team"), ("虚岁20", "needs_team"), ("虚岁21", "meets")],
        *[("虚岁67", "needs_team"), ("66岁，虚岁", "needs_team"), ("虚岁68", "does_not_meet"), ("19周岁", "meets")],
        ("18周岁", "needs_team"),  # 18 itself is the study team's to check, however it is said
    ],
)
def test_a_nominal_age_at_an_age_limit_goes_to_the_study_team(said: str, outcome: str) -> None:
    """虚岁 19 is 17 or 18, 虚岁 67 is 65 or 66: the age criterion is the study team's to check."""
    from bot.session.screening import Screening
    from bot.trial.model import load_trial

    screening = Screening(load_trial(None, "zh"))
    screening.answer(said, TODAY)
    verdicts = {v.criterion: v.verdict for v in screening.result(final=False).verdicts}
    assert verdicts["inc_age"] == outcome


@given(
    st.integers(1940, 2008), st.integers(1, 12), st.sampled_from(["{y}年{m}月出生", "{y}年{m}月生的", "生于{y}年{m}月"])
)
def test_a_birth_month_next_to_chinese_characters_is_never_an_age(year: int, month: int, frame: str) -> None:
    age = parse_age(frame.format(y=year, m=month), TODAY)
    assert age is not None
    assert abs(age.min_years - (TODAY.year - year)) <= 1, "the month or the year was read as an age"


@given(st.dates(date(2000, 1, 1), TODAY - timedelta(days=1)))
def test_a_chinese_date_next_to_characters_is_read(day: date) -> None:
    text = f"是{day.year}年{day.month}月{day.day}日打的"
    found = parse_days_ago(text, TODAY)
    assert found is not None and found.min_days == (TODAY - day).days, text


def test_the_lunar_festivals_fall_on_their_days() -> None:
    """Spring Festival 2026 is 17 February, Mid-Autumn 25 September, Dragon Boat 19 June (the table's
    writer checked them with two calendar libraries)."""
    assert festival_day("spring_festival", 2026) == date(2026, 2, 17)
    assert festival_day("mid_autumn_festival", 2026) == date(2026, 9, 25)
    assert festival_day("dragon_boat_festival", 2026) == date(2026, 6, 19)
    assert festival_day("spring_festival", 2025) == date(2025, 1, 29)


def test_the_holidays_fixed_by_weekday_fall_on_their_days() -> None:
    assert festival_day("us_labor_day", 2026) == date(2026, 9, 7)  # the first Monday of September
    assert festival_day("us_thanksgiving", 2026) == date(2026, 11, 26)  # the fourth Thursday of November
    assert festival_day("canadian_thanksgiving", 2025) == date(2025, 10, 13)  # the second Monday of October


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("right after Labor Day", date(2026, 5, 1)),  # 1 May, as in China ...
        ("right after Labor Day", date(2026, 9, 7)),  # ... and the US one: the time spans both
        ("the week of thanksgiving", date(2026, 10, 12)),
        ("the week of thanksgiving", date(2026, 11, 26)),
        ("五一劳动节", date(2026, 5, 1)),
    ],
)
def test_a_holiday_that_differs_by_country_is_read_as_all_its_days(text: str, day: date) -> None:
    found = from_festival(text, date(2026, 12, 6))
    assert found is not None and found[0] <= (date(2026, 12, 6) - day).days <= found[1], (text, found)


@pytest.mark.parametrize("text", ["just before Christmas last year", "last year's Christmas", "去年圣诞节前"])
def test_last_year_before_or_after_the_holiday_means_the_one_of_last_year(text: str) -> None:
    found = from_festival(text, date(2026, 12, 6))
    assert found is not None and found[0] > 300, (text, found)  # December 2025, not this month


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("on it for 5 weeks", (32, 38)),
        ("cellcept 5 weeks now", (32, 38)),
        ("吃了两个月了", (46, 76)),
        ("才吃了一个月", (15, 46)),
        ("用了三周", (18, 24)),
    ],
)
def test_how_long_dates_a_start(text: str, days: tuple[int, int]) -> None:
    found = started(text, TODAY)
    assert found is not None and (found.min_days, found.max_days) == days


@pytest.mark.parametrize("text", ["2 tablets a day", "3周前吃的", "twice a day for my kidneys"])
def test_no_duration_no_start(text: str) -> None:
    assert started(text, TODAY) is None
