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
