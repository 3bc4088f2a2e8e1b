"""When something happened: dates and durations become a range of days ago.

A person rarely knows the exact day, so every answer becomes a range
[min_days, max_days] ago (min = most recent possible, max = oldest possible),
which is then compared with a criterion's window using a safety margin
(domain-reference.md §7.2). The range is counted from the chat date; the
study team counts from the screening visit, which is later.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from bot.reading.chinese import numerals, to_english
from bot.reading.festivals import from_festival, from_lunar_month
from bot.reading.numbers import words_to_digits
from bot.reading.typos import respell
from bot.reading.words import english, is_hedged, mentions_ongoing, normalise

MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class DaysAgo:
    min_days: int
    max_days: int
    hedged: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return {"min_days": self.min_days, "max_days": self.max_days, "hedged": self.hedged}

    @classmethod
    def from_dict(cls, raw: dict[str, int | bool]) -> DaysAgo:
        return cls(int(raw["min_days"]), int(raw["max_days"]), bool(raw.get("hedged", False)))


def classify_window(ago: DaysAgo, window_days: int, margin_days: int) -> str:
    """``inside``, ``outside`` or ``near`` a window of ``window_days`` before today."""
    if ago.min_days > window_days + margin_days:
        return "outside"
    if ago.max_days < window_days - margin_days:
        return "inside"
    return "near"


# Fuzzy phrases of domain-reference.md §7.2, as (min_days, max_days).
_FIXED_PHRASES: list[tuple[str, tuple[int, int]]] = [
    (r"\b(today|just now|this morning|earlier today)\b", (0, 0)),
    (r"\byesterday\b", (1, 1)),
    (r"\b(a few|a couple of|couple of) days( ago)?\b", (2, 4)),
    (r"\bthis week\b", (0, 6)),
    (r"\blast week\b", (4, 13)),
    (r"\b(a couple of|couple of|a couple|2 or 3|two or three) weeks\b", (10, 21)),
    (r"\b(a few|few|several) weeks\b", (14, 42)),
    (r"\b(about|around|roughly|approximately)? ?(1|a) month( ago)?\b", (21, 42)),
    (r"\b(a few|few|several|couple of|a couple of) months\b", (61, 152)),
    (r"\b(half a year|6 months or so|half year)\b", (152, 213)),
    # Childhood: at least a year before an adult's screen, however long exactly.
    (
        r"\bwhen i was (?:a kid|a child|little|young|\d{1,2})\b|\bas a (?:child|kid|teenager)\b|\bin my teens\b|"
        r"小时候|年轻的时候|(?<!\d)1?\d岁的时候",
        (365, 36525),
    ),
]
_NUMBER_UNIT = re.compile(
    r"(?<![\d.,])(?P<num>\d+(?:[.,]\d+)?)(?:\s*(?:-|–|to|or)\s*(?P<upto>\d+(?:[.,]\d+)?))?"
    r"(?P<half>\s+and\s+a\s+half)?\s*(?P<unit>days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?)\b"
)
_ISO = re.compile(r"\b(?P<y>(19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>(19|20)?\d\d)\b")
# Not \b: "2025年" has none between 5 and 年; but a letter beside it makes a name ("ACAM2000").
_YEAR = re.compile(r"(?<![0-9A-Za-z])(19|20)\d\d(?![0-9A-Za-z])")


def _month_pattern() -> re.Pattern[str]:
    names = "|".join(sorted(english().months, key=len, reverse=True))
    return re.compile(rf"\b(?P<month>{names})\b\.?")


# "may" is also a verb: it is the month only with a date-like word beside it.
_MAY_AS_MONTH = re.compile(
    r"\b(in|last|since|early|late|mid|of|on|until|around|about|this|from)\s+may\b|"
    r"\bmay\s+(\d|last|this|of)|\d(st|nd|rd|th)?\s+(of\s+)?may\b"
)


def _month_match(text: str) -> re.Match[str] | None:
    for match in _month_pattern().finditer(text):
        if match.group("month") != "may" or _MAY_AS_MONTH.search(text):
            return match
    return None


def _day_near(text: str, start: int, end: int) -> int | None:
    """A day of the month written next to a month name ("3 March", "March 3rd")."""
    before = re.search(r"(\d{1,2})(st|nd|rd|th)?\s*(of\s+)?$", text[:start])
    after = re.match(r"\s*(\d{1,2})(st|nd|rd|th)?\b(?!\s*(days?|weeks?|months?|years?))", text[end:])
    for m in (after, before):
        if m and 1 <= int(m.group(1)) <= 31:
            return int(m.group(1))
    return None


def _range_from_dates(today: date, first: date, last: date, hedged: bool) -> DaysAgo | None:
    if first > today:
        return None
    last = min(last, today)
    return DaysAgo((today - last).days, (today - first).days, hedged)


def _from_month(text: str, today: date, hedged: bool) -> DaysAgo | None:
    match = _month_match(text)
    if not match:
        return None
    month = english().months[match.group("month")]
    year_match = _YEAR.search(text)
    if year_match:
        year = int(year_match.group(0))
    else:
        # The most recent past occurrence; "last March" said in March means a year ago.
        year = today.year if month <= today.month else today.year - 1
        if month == today.month and re.search(r"\blast\s+" + match.group("month"), text):
            year -= 1
        if re.search(r"\blast (?:calendar )?year\b", text):  # 去年十月 is last year's October
            year = today.year - 1
        elif "the calendar year before last" in text:  # 前年三月
            year = today.year - 2
    day = _day_near(text, match.start(), match.end())
    if day is not None:
        try:
            when = date(year, month, day)
        except ValueError:
            return None
        pad = 3 if hedged else 0
        return _range_from_dates(today, when - timedelta(pad), when + timedelta(pad), hedged)
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    if not year_match and (today.month - month) % 12 in (1, 2) and re.search(r"\blast\s+" + match.group("month"), text):
        first = date(year - 1, month, 1)  # "last November" said in December: just past, or a year before
    return _range_from_dates(today, first, last, hedged)


def _from_numeric_date(text: str, today: date, hedged: bool) -> DaysAgo | None:
    pad = timedelta(3 if hedged else 0)
    iso = _ISO.search(text)
    if iso:
        try:
            when = date(int(iso.group("y")), int(iso.group("m")), int(iso.group("d")))
        except ValueError:
            return None
        return _range_from_dates(today, when - pad, when + pad, hedged)
    num = _NUMERIC.search(text)
    if not num:
        return None
    a, b, y = int(num.group("a")), int(num.group("b")), int(num.group("y"))
    year = y if y > 100 else 2000 + y
    # 03/09/2026 is 3 September in China and Europe but March 9 in the US:
    # when both readings are possible, the range covers both.
    candidates = []
    for day, month in ((a, b), (b, a)):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    candidates = [c for c in candidates if c <= today]
    if not candidates:
        return None
    return _range_from_dates(today, min(candidates) - pad, max(candidates) + pad, hedged)


def _from_duration(text: str, today: date, hedged: bool) -> DaysAgo | None:
    match = _NUMBER_UNIT.search(text)
    if not match:
        return None
    n = float(match.group("num").replace(",", ".")) + (0.5 if match.group("half") else 0)  # "1,5 months"
    upto = float(match.group("upto").replace(",", ".")) if match.group("upto") else n  # "2-3 weeks", 两三周
    unit_days = english().time_units.get(match.group("unit"), 1.0)
    if unit_days >= MONTH_DAYS - 1:
        # "about N months" and plain "N months" both mean N ± half a unit (§7.2).
        low, high = (n - 0.5) * unit_days, (upto + 0.5) * unit_days
    elif unit_days >= 7:
        weeks_spread = 7 if hedged else 3
        low, high = n * unit_days - weeks_spread, upto * unit_days + weeks_spread
    else:
        days_spread = max(1.0, 0.2 * upto) if hedged else 0.0
        low, high = n - days_spread, upto + days_spread
    return DaysAgo(max(0, round(low)), max(0, round(high)), hedged)


# Seasons as in Nanjing (northern hemisphere): the month each begins. "fall" only after a word that
# makes it the season ("in the fall"; "I had a fall" is no time).
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_SEASON = re.compile(r"\b(?P<season>spring|summer|autumn|winter)\b|\b(?:the|this|last)\s+(?P<fall>fall)\b")


def _from_season(text: str, today: date, hedged: bool) -> DaysAgo | None:
    """The most recent season of that name that has begun ("back in the summer"), or the one of the last
    calendar year (去年夏天); "last <season>" said while that season runs is the one before."""
    match = _SEASON.search(text)
    if not match:
        return None
    month = _SEASONS[match.group("season") or match.group("fall")]
    year = today.year if date(today.year, month, 1) <= today else today.year - 1
    if "last calendar year" in text:
        year = today.year - 1
    elif re.search(r"\blast\s+" + match.group(0).split()[-1], text) and (today.month - month) % 12 < 3:
        year -= 1
    first = date(year, month, 1)
    after = date(year + (month + 3 > 12), (month + 2) % 12 + 1, 1)
    return _range_from_dates(today, first, after - timedelta(1), hedged)


def _from_calendar_words(text: str, today: date, hedged: bool) -> DaysAgo | None:
    season = _from_season(text, today, hedged)
    if season:
        return season
    if re.search(r"\blast month\b", text):
        last = today.replace(day=1) - timedelta(1)
        return _range_from_dates(today, last.replace(day=1), last, hedged)
    # 去年 and 前年 (said in English by bot/reading/chinese.py), the week and the month before last
    for words, back in (("last calendar year", 1), ("the calendar year before last", 2)):
        if words in text:
            return _range_from_dates(today, date(today.year - back, 1, 1), date(today.year - back, 12, 31), hedged)
    if "the week before last" in text:  # weeks from Monday (as in China) or from Sunday: either
        monday = today - timedelta(today.weekday() + 14)
        saturday = today - timedelta((today.weekday() + 1) % 7 + 8)
        return _range_from_dates(
            today, min(monday, saturday - timedelta(6)), max(monday + timedelta(6), saturday), hedged
        )
    if "the month before last" in text:
        end = (today.replace(day=1) - timedelta(1)).replace(day=1) - timedelta(1)
        return _range_from_dates(today, end.replace(day=1), end, hedged)
    year = _YEAR.search(text)
    if year and not re.search(r"\d\s*(days?|weeks?|months?|years?)\b", text):
        y = int(year.group(0))
        return _range_from_dates(today, date(y, 1, 1), date(y, 12, 31), hedged)
    return None


@lru_cache(maxsize=2048)
def months_respelled(text: str) -> str:
    """``text`` with slips of month names corrected: "back in augst" (held-out 2026-12-07h, where the
    unread month made an old course of antibiotics a recent one). Cached: a clause is checked for a
    time, then read for it."""
    return respell(text.lower(), _MONTH_NAMES)[0] if _LATIN.search(text) else text


_MONTH_NAMES = tuple(m for m in english().months if len(m) >= 4)
_LATIN = re.compile(r"[A-Za-z]{4}")


def parse_days_ago(text: str, today: date) -> DaysAgo | None:
    """A range of days ago, or None when the answer gives no usable time.

    "last year" alone is None: people use it both for the last calendar year
    and for "within the past twelve months", so the bot asks for a date.
    """
    text = months_respelled(text)
    hedged = is_hedged(text)
    festival = from_lunar_month(text, today) or from_festival(text, today, hedged)
    if festival:
        return DaysAgo(*festival)
    text = to_english(text)
    plain = normalise(text)
    clean = words_to_digits(text)
    if _ISO.search(clean) or _NUMERIC.search(clean):
        return _from_numeric_date(clean, today, hedged)  # a future date is no answer
    for parse in (_from_month, _from_calendar_words):
        found = parse(clean, today, hedged)
        if found:
            return found
    for pattern, (low, high) in _FIXED_PHRASES:
        if re.search(pattern, clean) or re.search(pattern, plain):
            return DaysAgo(low, high, hedged)
    found = _from_duration(clean, today, hedged)
    if found:
        return found
    if mentions_ongoing(clean):
        return DaysAgo(0, 0, hedged)
    return None


# How long something has gone on, which dates its start: "on it for 5 weeks", "5 weeks now", "the past
# 2 months", "since October", "吃了两个月", "才用了三周".
_UNITS = r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_HOW_LONG = (
    re.compile(rf"\b(?:for|over|the (?:last|past))\s+(?:about |around |nearly |almost |just |only |roughly )?"
               rf"(?P<span>[\w.,-]+(?:\s+and\s+a\s+half)?\s+{_UNITS})\b"),
    re.compile(rf"(?P<span>\b[\w.,-]+\s+{_UNITS})\s+now\b"),
    re.compile(r"[吃用打服上]了?\s*(?P<span>\d+(?:[-.]\d+)?\s*个?(?:天|周|星期|礼拜|月|年))(?!\s*(?:前|以前|之前))"),
)  # fmt: skip
_SINCE = re.compile(r"\bsince\b(?P<when>[^,;.，。；]*)|自?从(?P<zh>[^,;.，。；]{1,10}?)(?:开始|起)")


def started(text: str, today: date) -> DaysAgo | None:
    """When something began, from how long it has gone on ("for 5 weeks": 5 weeks ago), or None."""
    clean = numerals(normalise(words_to_digits(text)))
    for pattern in _HOW_LONG:
        match = pattern.search(clean)
        if match:
            span = match.group("span")
            return parse_days_ago(span + ("前" if re.search(r"[\u4e00-\u9fff]", span) else " ago"), today)
    since = _SINCE.search(clean)
    when = since and (since.group("when") or since.group("zh"))
    if when and when.strip():  # only the time it names: "twice a day, no change since October" is October
        return parse_days_ago(when, today)
    return None  # "the same dose ever since." names no time
