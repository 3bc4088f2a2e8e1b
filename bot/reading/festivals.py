"""Times dated by a festival: 春节 (Chinese New Year), 中秋, 端午, 国庆, 元旦, 五一...

The lunar festivals move each year; lunardate (maintained) converts them, and dateutil computes
Easter, so no table of dates goes stale. The names and spans are data (``festivals`` in lexicon/zh.yml).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.easter import easter
from lunardate import LunarDate

from bot import LEXICON_DIR
from bot.reading.words import normalise, phrase_pattern
from bot.yamlfile import load_yaml

_AROUND_DAYS = 14  # "春节前后": two weeks either side
_NEAR_DAYS = 31  # "春节前", "after National Day": within about a month
_YEAR = re.compile(r"(?<![0-9A-Za-z])(?:19|20)\d\d(?![0-9A-Za-z])")


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    raw = load_yaml(LEXICON_DIR / "zh.yml")
    names = {normalise(str(n)): key for key, f in raw["festivals"].items() for n in f["names"]}
    return {
        "festivals": raw["festivals"],
        "names": names,
        "pattern": phrase_pattern(list(names)),
        **{k: phrase_pattern([normalise(str(w)) for w in raw[f"festival_{k}"]]) for k in ("before", "after", "around")},
        "last_year": phrase_pattern([normalise(str(w)) for w in raw["festival_last_year"]]),
    }


def festival_day(key: str, year: int) -> date:
    festival = _table()["festivals"][key]
    if festival.get("easter"):
        return date.fromordinal(easter(year).toordinal())
    if "lunar" in festival:
        month, day = festival["lunar"]
        return LunarDate(year, int(month), int(day)).to_solar_date()  # type: ignore[no-any-return]
    if "nth_weekday" in festival:  # [month, weekday (Monday 0), nth]: "the fourth Thursday of November"
        month, weekday, nth = (int(x) for x in festival["nth_weekday"])
        first = date(year, month, 1)
        return first + timedelta((weekday - first.weekday()) % 7 + 7 * (nth - 1))
    month, day = festival["solar"]
    return date(year, int(month), int(day))


def names_a_festival(text: str) -> bool:
    return bool(_table()["pattern"].search(normalise(text)))


def without_festivals(text: str) -> str:
    """``text`` (normalised) with festival names and the words that place a time by them ("前", "after")
    blanked."""
    table = _table()
    for key in ("pattern", "before", "after", "around"):
        text = table[key].sub(lambda m: " " * len(m.group()), text)
    return text


# A month of the lunar calendar: "农历七月", "阴历八月十五", "腊月二十", "正月初六", "老历十月份".
_LUNAR_MONTH = re.compile(
    r"(?:(?:农历|阴历|老历)\s*(?P<m>十[一二]|[一二三四五六七八九十]|1[0-2]|[1-9]|正|冬|腊)|(?P<named>正|冬|腊))月份?"
    r"(?:\s*(?P<d>初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]?|三十|半|[12]?\d|30)\s*[号日]?)?"
)
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_CN_DIGITS = {ch: i for i, ch in enumerate("一二三四五六七八九十", start=1)}


def _cn_number(said: str) -> int:
    """1 to 30 as people say days and months: 十一, 二十三, 廿三, 初六, 12."""
    if said.isdigit():
        return int(said)
    said = said.removeprefix("初").replace("廿", "二十")
    if "十" not in said:
        return _CN_DIGITS[said]
    tens, _, units = said.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def from_lunar_month(text: str, today: date) -> tuple[int, int, bool] | None:
    """(days ago of the latest, of the earliest, hedged) for a time said in the lunar calendar, or None:
    its month (or day) in the most recent lunar year that has reached it. Said in the lunar calendar,
    "七月" is about a month after the solar July."""
    match = _LUNAR_MONTH.search(text)
    if not match:
        return None
    said = match.group("m") or match.group("named")
    month = _LUNAR_MONTHS.get(said) or _cn_number(said)
    day = match.group("d")
    hedged = bool(_table()["around"].search(text[match.end() : match.end() + 6]))
    for year in (today.year, today.year - 1, today.year - 2):
        try:
            first = LunarDate(year, month, 1).to_solar_date()
            following = LunarDate(year + (month == 12), month % 12 + 1, 1).to_solar_date()
            if day:
                first = LunarDate(year, month, 15 if day == "半" else _cn_number(day)).to_solar_date()
                following = first + timedelta(1)
        except ValueError:
            return None
        if first <= today:
            pad = timedelta(_AROUND_DAYS if hedged else 0)
            last = min(following - timedelta(1) + pad, today)
            return (today - last).days, (today - (first - pad)).days, hedged
    return None


def from_festival(text: str, today: date, hedged: bool = False) -> tuple[int, int, bool] | None:
    """(days ago of the latest, of the earliest, hedged) for a time said by a festival, or None.

    The most recent one that has begun, unless a year or "去年" says which.
    """
    table, clean = _table(), normalise(text)
    match = table["pattern"].search(clean)
    if not match:
        return None
    key = table["names"][match.group(0)]
    before, after = clean[: match.start()], clean[match.end() : match.end() + 6]
    year = _YEAR.search(clean)
    if year:
        years = [int(year.group(0))]
    elif table["last_year"].search(before[-12:]) or table["last_year"].match(clean[match.end() :].strip()):
        years = [today.year - 1]
    else:
        years = [today.year, today.year - 1]
    # A name that means different days to different people ("Labor Day": 1 May in China, September in
    # the US) is read as all of them: the time spans them, and what it decides goes to the team.
    spans = [_span(one, years, before, after, today) for one in table["festivals"][key].get("dates", [key])]
    found = [span for span in spans if span is not None]
    if not found:
        return None
    return min(s[0] for s in found), max(s[1] for s in found), hedged or any(s[2] for s in found)


def _span(key: str, years: list[int], before: str, after: str, today: date) -> tuple[int, int, bool] | None:
    """(days ago of the latest, of the earliest, hedged) of the most recent ``key`` in ``years`` that
    has begun, with what is said around its name (before it, after it, around it)."""
    table = _table()
    first, last = (int(d) for d in table["festivals"][key]["days"])
    hedged = False
    for y in years:
        day = festival_day(key, y)
        if table["around"].match(after.strip()) or table["around"].search(before[-8:]):
            first, last, hedged = -_AROUND_DAYS, _AROUND_DAYS, True
        elif table["before"].match(after.strip()) or table["before"].search(before[-8:]):
            first, last = -_NEAR_DAYS, 0
        elif table["after"].match(after.strip()) or table["after"].search(before[-8:]):
            first, last = 0, _NEAR_DAYS
        start, end = day + timedelta(first), min(day + timedelta(last), today)
        if start <= today:
            return (today - end).days, (today - start).days, hedged
    return None
