"""parse_days_ago and classify_window (domain-reference.md §7.1, §7.2)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import cn2an
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from lunardate import LunarDate

from bot.reading.times import DaysAgo, classify_window, parse_days_ago, started

TODAY = date(2026, 11, 25)
MONTH = 30.44  # §7.1: 365.25 / 12


def ago(day: date) -> int:
    return (TODAY - day).days


def whole_month(year: int, month: int, last_day: int) -> tuple[int, int]:
    return ago(date(year, month, last_day)), ago(date(year, month, 1))


def span(text: str) -> tuple[int, int] | None:
    found = parse_days_ago(text, TODAY)
    return None if found is None else (found.min_days, found.max_days)


# §7.2 rule 3: fuzzy answers become ranges.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last week", (4, 13)),
        ("a couple of weeks ago", (10, 21)),
        ("a few weeks ago", (14, 42)),
        ("about a month ago", (21, 42)),
        ("a few months ago", (61, 152)),
        ("half a year ago", (152, 213)),
        ("yesterday", (1, 1)),
    ],
)
def test_fuzzy_phrases(text: str, expected: tuple[int, int]) -> None:
    assert span(text) == expected


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
@pytest.mark.parametrize("template", ["about {} months ago", "around {} months ago", "{} months ago"])
def test_about_n_months_is_n_plus_minus_half_a_month(n: int, template: str) -> None:
    expected = (round((n - 0.5) * MONTH), round((n + 0.5) * MONTH))
    assert span(template.format(n)) == expected


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("about two months ago", 2),
        ("about three months ago", 3),
        ("six months ago", 6),
        ("about twelve months ago", 12),
    ],
)
def test_about_n_months_in_words(text: str, n: int) -> None:
    assert span(text) == (round((n - 0.5) * MONTH), round((n + 0.5) * MONTH))


@pytest.mark.parametrize(
    "text", ["last year", "it was last year", "I may have had it", "I don't remember", "banana", ""]
)
def test_no_usable_time(text: str) -> None:
    assert parse_days_ago(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01", (ago(date(2026, 10, 1)),) * 2),
        ("on 2026-11-25", (0, 0)),
        ("2025-12-31", (ago(date(2025, 12, 31)),) * 2),
        ("2024/02/29", (ago(date(2024, 2, 29)),) * 2),
        ("in August", whole_month(2026, 8, 31)),
        ("August", whole_month(2026, 8, 31)),
        ("in August 2025", whole_month(2025, 8, 31)),
        ("last March", whole_month(2026, 3, 31)),
        ("in May", whole_month(2026, 5, 31)),
        ("in December", whole_month(2025, 12, 31)),  # the most recent December
        ("10 Sept", (ago(date(2026, 9, 10)),) * 2),
        ("September 10th", (ago(date(2026, 9, 10)),) * 2),
        ("3rd of May 2026", (ago(date(2026, 5, 3)),) * 2),
        ("3 May", (ago(date(2026, 5, 3)),) * 2),
        ("on the 3rd of May", (ago(date(2026, 5, 3)),) * 2),
        # 3 September (China, Europe) or March 9 (US): the range covers both.
        ("03/09/2026", (ago(date(2026, 9, 3)), ago(date(2026, 3, 9)))),
        ("13/09/2026", (ago(date(2026, 9, 13)),) * 2),
    ],
)
def test_dates(text: str, expected: tuple[int, int]) -> None:
    assert span(text) == expected


def test_early_may_lies_within_may() -> None:
    first, last = whole_month(2026, 5, 31)
    found = parse_days_ago("early May", TODAY)
    assert found is not None
    assert first <= found.min_days <= found.max_days <= last


@pytest.mark.parametrize("text", ["I may have had it", "it may be", "may i ask", "you may"])
def test_may_the_verb_is_not_the_month(text: str) -> None:
    assert parse_days_ago(text, TODAY) is None


# §7.2 rule 5: the worked examples.
@pytest.mark.parametrize(
    ("what", "text", "expected", "window", "margin", "verdict"),
    [
        ("rituximab", "about 6 months ago", (167, 198), 168, 14, "near"),
        ("MMF dose change", "about 3 months ago", (76, 107), 84, 14, "near"),
        ("tofacitinib", "2 months ago", (46, 76), 28, 7, "outside"),
    ],
)
def test_worked_examples(
    what: str, text: str, expected: tuple[int, int], window: int, margin: int, verdict: str
) -> None:
    found = parse_days_ago(text, TODAY)
    assert found is not None
    assert (found.min_days, found.max_days) == expected
    assert classify_window(found, window, margin) == verdict


@pytest.mark.parametrize("text", ["3 months ago", "about 3 months ago", "three months ago", "roughly 3 months ago"])
def test_three_months_against_twelve_weeks_is_never_decided(text: str) -> None:
    # §7.1: 3 months ≈ 91 days, only a week past the 12-week (84-day) line.
    found = parse_days_ago(text, TODAY)
    assert found is not None
    assert classify_window(found, 84, 14) == "near"


@pytest.mark.parametrize(
    ("low", "high", "window", "margin", "verdict"),
    [
        (100, 120, 84, 14, "outside"),  # a = 100 > 98
        (98, 120, 84, 14, "near"),  # a = 98 is not > 98
        (10, 60, 84, 14, "inside"),  # b = 60 < 70
        (10, 70, 84, 14, "near"),  # b = 70 is not < 70
        (0, 0, 28, 7, "inside"),
        (36, 40, 28, 7, "outside"),
        (20, 40, 28, 7, "near"),
        (1, 1, 14, 3, "inside"),
    ],
)
def test_classify_window(low: int, high: int, window: int, margin: int, verdict: str) -> None:
    assert classify_window(DaysAgo(low, high), window, margin) == verdict


# --- properties -------------------------------------------------------------

_UNITS = st.sampled_from(["day", "days", "week", "weeks", "wks", "fortnight", "month", "months", "year", "years"])
_HEDGES = st.sampled_from(["", "about ", "around ", "roughly ", "maybe ", "i think "])
_MONTHS = st.sampled_from(
    ["january", "feb", "march", "april", "may", "june", "july", "aug", "sept", "october", "nov", "december"]
)


@st.composite
def time_answers(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    hedge = draw(_HEDGES)
    if kind == 0:
        return f"{hedge}{draw(st.integers(0, 60))} {draw(_UNITS)} ago"
    if kind == 1:
        return f"{hedge}{draw(st.integers(0, 60))} and a half {draw(_UNITS)} ago"
    if kind == 2:
        return f"{hedge}in {draw(_MONTHS)}"
    if kind == 3:
        return f"{hedge}{draw(st.integers(1, 28))} {draw(_MONTHS)}"
    day = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    return f"{hedge}{day.day:02d}/{day.month:02d}/{day.year}"


@given(time_answers())
def test_min_days_never_exceeds_max_days(text: str) -> None:
    found = parse_days_ago(text, TODAY)
    if found is not None:
        assert 0 <= found.min_days <= found.max_days


@given(st.text(max_size=40))
def test_any_text_gives_none_or_an_ordered_range(text: str) -> None:
    found = parse_days_ago(text, TODAY)
    if found is not None:
        assert 0 <= found.min_days <= found.max_days


@given(st.dates(TODAY - timedelta(days=3 * 365), TODAY))
@example(TODAY)
@example(date(2024, 2, 29))
def test_iso_date_in_the_past_is_exact(day: date) -> None:
    found = parse_days_ago(day.isoformat(), TODAY)
    assert found is not None
    assert (found.min_days, found.max_days) == ((TODAY - day).days, (TODAY - day).days)


@given(st.dates(TODAY + timedelta(days=1), TODAY + timedelta(days=3 * 365)))
@example(TODAY + timedelta(days=1))
@example(date(2027, 6, 1))
def test_iso_date_in_the_future_is_none(day: date) -> None:
    assert parse_days_ago(day.isoformat(), TODAY) is None


_RANK = {"inside": 0, "near": 1, "outside": 2}


@given(
    st.integers(0, 1000),
    st.integers(0, 400),
    st.integers(0, 400),
    st.integers(1, 400),
    st.integers(0, 30),
)
def test_classify_window_is_monotone(low: int, width: int, shift: int, window: int, margin: int) -> None:
    nearer = DaysAgo(low, low + width)
    further = DaysAgo(low + shift, low + width + shift)
    assert _RANK[classify_window(further, window, margin)] >= _RANK[classify_window(nearer, window, margin)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三个月前", (76, 107)),
        ("大概三个月前", (76, 107)),
        ("两个星期前", (11, 17)),
        ("十二周前", (81, 87)),
        ("半年前", (152, 213)),
        ("上周", (4, 13)),
        ("2026年9月3日", (83, 83)),
        ("9月3号", (83, 83)),
        ("九月", (56, 85)),
        ("2025年3月", (604, 634)),
        ("昨天", (1, 1)),
    ],
)
def test_chinese_dates_and_durations(text: str, expected: tuple[int, int]) -> None:
    ago = parse_days_ago(text, TODAY)
    assert ago is not None and (ago.min_days, ago.max_days) == expected


@pytest.mark.parametrize("text", ["13月", "我不记得"])
def test_chinese_answers_without_a_usable_time(text: str) -> None:
    assert parse_days_ago(text, TODAY) is None


# A hedge widens a range by a fixed amount (bot/reading/times.py): "about N weeks" is N weeks give or take a
# week, a plain "N weeks" give or take 3 days; "about N days" give or take a fifth (at least a day);
# "about 3 May" the date give or take 3 days. Pinned so that a narrower range, which can move an
# answer from "near" a window's edge to "inside" it, fails here.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about 2 weeks ago", (14 - 7, 14 + 7)),
        ("around 3 weeks ago", (21 - 7, 21 + 7)),
        ("2 weeks ago", (14 - 3, 14 + 3)),
        ("about 10 days ago", (10 - 2, 10 + 2)),
        ("about 3 days ago", (3 - 1, 3 + 1)),
        ("about 3 May", (ago(date(2026, 5, 3)) - 3, ago(date(2026, 5, 3)) + 3)),
        ("3 May", (ago(date(2026, 5, 3)), ago(date(2026, 5, 3)))),
    ],
)
def test_a_hedge_widens_the_range_by_a_fixed_amount(text: str, expected: tuple[int, int]) -> None:
    found = parse_days_ago(text, TODAY)
    assert found is not None and (found.min_days, found.max_days) == expected


@given(
    lead=st.sampled_from(["same dose ever since", "on it since", "no change since", "自从", "since"]),
    end=st.sampled_from(["", ".", ",", "，", "。", ", all good", "; fine"]),
)
def test_since_with_no_time_after_it_names_no_start(lead: str, end: str) -> None:
    """ "mycophenolate, the same dose ever since." crashed the reader (and the screening with it)."""
    assert started(lead + end, TODAY) is None


@given(
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=29),
    lead=st.sampled_from(["农历", "阴历", "老历"]),
)
def test_a_day_of_the_lunar_calendar_is_read_as_its_solar_day(month: int, day: int, lead: str) -> None:
    """ "农历七月半" (15 August 2026 in the solar calendar, the 27th) was read as July: a month early, so
    a plasma exchange near the 12 weeks' edge looked outside them."""
    today = date(2026, 12, 6)
    year = today.year if LunarDate(today.year, month, day).to_solar_date() <= today else today.year - 1
    ago = (today - LunarDate(year, month, day).to_solar_date()).days
    said = f"{lead}{cn2an.an2cn(month)}月{'初' + cn2an.an2cn(day) if day <= 10 else cn2an.an2cn(day)}"
    found = parse_days_ago(said, today)
    assert found is not None and found.min_days <= ago <= found.max_days, (said, ago, found)


@pytest.mark.parametrize(
    ("said", "solar"),
    [
        ("农历七月半那阵子", date(2026, 8, 27)),
        ("中元节", date(2026, 8, 27)),
        ("腊月二十", date(2026, 2, 7)),
        ("正月初六", date(2026, 2, 22)),
        ("重阳节", date(2026, 10, 18)),
    ],
)
def test_lunar_dates_and_festivals(said: str, solar: date) -> None:
    today = date(2026, 12, 6)
    found = parse_days_ago(said, today)
    assert found is not None and found.min_days <= (today - solar).days <= found.max_days, found


def test_a_month_without_a_lunar_word_is_the_solar_month() -> None:
    found = parse_days_ago("七月", date(2026, 12, 6))
    assert found is not None and (found.min_days, found.max_days) == (128, 158)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("back in the summer", (86, 177)),  # June to August 2026, on 25 November
        ("去年夏天", (451, 542)),
        ("in the fall", (0, 85)),  # September to today
        ("last spring", (178, 269)),
    ],
)
def test_seasons(text: str, expected: tuple[int, int]) -> None:
    found = parse_days_ago(text, TODAY)
    assert found is not None and (found.min_days, found.max_days) == expected


def test_a_fall_is_no_season() -> None:
    found = parse_days_ago("I had a fall last week", TODAY)
    assert found is not None and found.max_days <= 13


# 2026-12-07: "去年十月" (October of last year) was read as this October, two months back.
@given(month=st.integers(1, 12), numerals=st.booleans(), back=st.sampled_from([("去年", 1), ("前年", 2)]))
def test_a_month_of_last_year_or_the_year_before_is_that_year_s(
    month: int, numerals: bool, back: tuple[str, int]
) -> None:
    word, years = back
    said = cn2an.an2cn(str(month)) if numerals else str(month)
    when = parse_days_ago(f"{word}{said}月份", TODAY)
    first = date(TODAY.year - years, month, 1)
    last = (date(TODAY.year - years + month // 12, month % 12 + 1, 1)) - timedelta(1)
    assert when == DaysAgo((TODAY - last).days, (TODAY - first).days, False)


@pytest.mark.parametrize(
    ("text", "year"),
    [("血浆置换是23年那次", 2023), ("24年底停的", 2024), ("二三年那次", 2023), ("had rituxan but that was 2024", 2024)],
)
def test_a_year_said_in_two_digits_or_alone_is_that_year(text: str, year: int) -> None:
    found = parse_days_ago(text, TODAY)
    assert found is not None
    assert (TODAY - date(year, 12, 31)).days <= found.min_days <= found.max_days <= (TODAY - date(year, 1, 1)).days


@pytest.mark.parametrize("text", ["病了23年", "23年了", "吃了23年"])
def test_a_count_of_years_is_no_year(text: str) -> None:
    """ "病了23年" (ill for 23 years) says how long, not when: never the year 2023."""
    found = parse_days_ago(text, TODAY)
    assert found is None or found.min_days > 5000


@pytest.mark.parametrize(("slip", "month"), [("augst", 8), ("septmber", 9), ("febuary", 2), ("octobr", 10)])
def test_a_month_typed_with_a_slip_is_that_month(slip: str, month: int) -> None:
    assert parse_days_ago(f"back in {slip}", TODAY) == parse_days_ago(f"back in {calendar.month_name[month]}", TODAY)
