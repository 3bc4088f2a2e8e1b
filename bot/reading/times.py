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
from typing import Any

from bot import LEXICON_DIR
from bot.reading.numbers import words_to_digits
from bot.reading.words import english, is_hedged, mentions_ongoing, normalise
from bot.yamlfile import load_yaml

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
]
_NUMBER_UNIT = re.compile(
    r"(?<![\d.,])(?P<num>\d+(?:[.,]\d+)?)(?P<half>\s+and\s+a\s+half)?\s*"
    r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?)\b"
)
_ISO = re.compile(r"\b(?P<y>(19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>(19|20)?\d\d)\b")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


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
        if re.search(r"\blast year\b", text):
            year = today.year - 1
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
    unit_days = english().time_units.get(match.group("unit"), 1.0)
    if unit_days >= MONTH_DAYS - 1:
        # "about N months" and plain "N months" both mean N ± half a unit (§7.2).
        low, high = (n - 0.5) * unit_days, (n + 0.5) * unit_days
    elif unit_days >= 7:
        weeks_spread = 7 if hedged else 3
        low, high = n * unit_days - weeks_spread, n * unit_days + weeks_spread
    else:
        days_spread = max(1.0, 0.2 * n) if hedged else 0.0
        low, high = n - days_spread, n + days_spread
    return DaysAgo(max(0, round(low)), max(0, round(high)), hedged)


def _from_calendar_words(text: str, today: date, hedged: bool) -> DaysAgo | None:
    if re.search(r"\blast month\b", text):
        last = today.replace(day=1) - timedelta(1)
        return _range_from_dates(today, last.replace(day=1), last, hedged)
    year = _YEAR.search(text)
    if year and not re.search(r"\d\s*(days?|weeks?|months?|years?)\b", text):
        y = int(year.group(0))
        return _range_from_dates(today, date(y, 1, 1), date(y, 12, 31), hedged)
    return None


@lru_cache(maxsize=1)
def _chinese() -> dict[str, Any]:
    return dict(load_yaml(LEXICON_DIR / "zh.yml"))


def chinese_number(text: str) -> str:
    """Chinese numerals up to 99 as digits: 三 -> 3, 十二 -> 12, 二十 -> 20."""
    zh = _chinese()
    digits, ten = zh["digits"], zh["ten"]

    def value(match: re.Match[str]) -> str:
        chars = match.group(0)
        if ten not in chars:
            return str(digits[chars[-1]]) if len(chars) == 1 else match.group(0)
        tens, _, units = chars.partition(ten)
        return str((digits[tens] if tens else 1) * 10 + (digits[units] if units else 0))

    pattern = f"[{''.join(digits)}]?{ten}[{''.join(digits)}]?|[{''.join(digits)}]"
    return re.sub(pattern, value, text)


def chinese_to_english(text: str) -> str:
    """Rewrite Chinese dates and durations ("三个月前", "2026年9月3日") in the English the parser reads."""
    zh = _chinese()
    for phrase, english_text in sorted(zh["phrases"].items(), key=lambda kv: -len(kv[0])):
        text = text.replace(phrase, f" {english_text} ")
    text = chinese_number(text)
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", r" \1-\2-\3 ", text)
    months = {n: max((k for k, v in english().months.items() if v == n), key=len) for n in range(1, 13)}
    months.update(dict.fromkeys(range(13, 100), ""))  # not a month: leave it to the parser to reject
    text = re.sub(r"(\d{1,2})月(\d{1,2})[日号]", lambda m: f" {m.group(2)} {months[int(m.group(1))]} ", text)
    ago = "|".join(map(re.escape, zh["ago"]))
    for unit, english_unit in sorted(zh["units"].items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(\d+(?:\.\d+)?)\s*{re.escape(unit)}\s*(?:{ago})", rf" \1 {english_unit} ago ", text)
    text = re.sub(r"(\d{4})年(\d{1,2})月", lambda m: f" {months[int(m.group(2))]} {m.group(1)} ", text)
    text = re.sub(r"(?<!\d)(\d{1,2})月(?!\d)", lambda m: f" in {months[int(m.group(1))]} ", text)
    return re.sub(r"(\d{4})年", r" in \1 ", text)


def parse_days_ago(text: str, today: date) -> DaysAgo | None:
    """A range of days ago, or None when the answer gives no usable time.

    "last year" alone is None: people use it both for the last calendar year
    and for "within the past twelve months", so the bot asks for a date.
    """
    hedged = is_hedged(text)
    text = chinese_to_english(text)
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
