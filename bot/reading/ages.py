"""A person's age from what they type: a number, number words, a birth year or date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import cn2an

from bot.reading.chinese import numerals
from bot.reading.numbers import words_to_digits
from bot.reading.words import english

OLDEST = 120


@dataclass(frozen=True)
class Age:
    """Age in whole years, as a range when only a birth year is known.

    ``days_to_birthday`` is set when the exact birth date is known, so the
    screener can tell whether someone is about to have a birthday.
    """

    min_years: int
    max_years: int
    days_to_birthday: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {
            "min_years": self.min_years,
            "max_years": self.max_years,
            "days_to_birthday": self.days_to_birthday,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, int | None]) -> Age:
        days = raw.get("days_to_birthday")
        return cls(int(raw["min_years"] or 0), int(raw["max_years"] or 0), None if days is None else int(days))


def age_on(birth: date, today: date) -> Age:
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    try:
        next_birthday = birth.replace(year=birth.year + years + 1)
    except ValueError:  # born on 29 February
        next_birthday = date(birth.year + years + 1, 3, 1)
    return Age(years, years, (next_birthday - today).days)


def _birth_dates(text: str) -> list[date]:
    iso = re.search(r"(?<!\d)((?:19|20)\d\d)(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})(?!\d)", text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
        return _valid([(y, m, d)])
    numeric = re.search(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b", text)
    if numeric:
        a, b, y = (int(g) for g in numeric.groups())
        return _valid([(y, b, a), (y, a, b)])
    # "b. 14/02/91", "DOB 3/4/85": a two-digit year, from 27 up (as a birth year, a 1900s one)
    short = re.search(r"\b(\d{1,2})/(\d{1,2})/([3-9]\d|2[7-9])\b", text)
    if short:
        a, b, y = (int(g) for g in short.groups())
        return _valid([(1900 + y, b, a), (1900 + y, a, b)])
    months = "|".join(sorted(english().months, key=len, reverse=True))
    worded = re.search(
        rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({months})|({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)"
        r",?\s+((?:19|20)\d\d)\b",
        text,
    )
    if worded:
        day = int(worded.group(1) or worded.group(4))
        month = english().months[worded.group(2) or worded.group(3)]
        return _valid([(int(worded.group(5)), month, day)])
    return []


def _valid(parts: list[tuple[int, int, int]]) -> list[date]:
    found = []
    for y, m, d in parts:
        try:
            found.append(date(y, m, d))
        except ValueError:
            continue
    return sorted(set(found))


def parse_age(text: str, today: date) -> Age | None:
    """The age in ``text`` on ``today``, or None if there is no plausible age.

    Two readings of a date like 03/04/1990 give a range; a birth year alone
    gives the two ages possible in that year.
    """
    said = numerals(text)
    if _AGE_WORD.search(said) or _BARE_NUMERAL.match(said):
        # "按虚岁算十九": beside an age word, every numeral is a number; so is one said alone ("五十三")
        said = _NUMERAL_RUN.sub(lambda m: str(cn2an.cn2an(m.group(), "smart")), said)
    exact = _EXACT.search(said)  # 周岁 / 实岁 is the age in full years, whatever 虚岁 is said beside it
    if exact:
        years = int(exact.group(1) or exact.group(2))
        return Age(years, years) if years <= OLDEST else None
    nominal = _NOMINAL.search(said)  # 虚岁 counts the year of birth as one: one or two more than the age
    if nominal:
        years = int(nominal.group(1) or nominal.group(2))
        return Age(max(0, years - 2), max(0, years - 1))
    clean = words_to_digits(said).replace("岁", " years")
    births = [b for b in _birth_dates(clean) if b <= today]
    if births:
        ages = [age_on(b, today) for b in births]
        if len({(a.min_years, a.days_to_birthday) for a in ages}) == 1:
            return ages[0]
        return Age(min(a.min_years for a in ages), max(a.max_years for a in ages))
    month = _BORN_IN_MONTH.search(clean)  # "1991年5月出生", "born in May 1991"
    if month:
        return _born_in_month(int(month.group("y")), int(month.group("m")), today)
    born = _birth_year(clean, today)
    if born is not None:
        if born > today.year or today.year - born > OLDEST:
            return None
        return Age(max(0, today.year - born - 1), today.year - born)
    decade = _DECADE.search(clean)  # "90后", "九零后": born in the 1990s
    if decade:
        tens = decade.group(1) or str("零一二三四五六七八九".index(decade.group(2)))
        first = _full_year(int(tens) * 10, today)
        return Age(max(0, today.year - first - 10), today.year - first)
    return _from_decade(clean) or _from_number(clean, today)


# "late twenties", "in my 30s": the years of a decade, or the part of it said (early, mid, late).
_DECADE_SAID = re.compile(
    r"\b(?:(?P<part>early|mid|late)[\s-]*)?(?:(?P<word>teens|twenties|thirties|forties|fifties|sixties|seventies)"
    r"|(?P<tens>[1-7])0'?s)\b"
)
_DECADES = {"teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70}
_PARTS = {"early": (0, 3), "mid": (3, 7), "late": (6, 9), None: (0, 9)}


def _from_decade(clean: str) -> Age | None:
    """ "late twenties, 28" is 28; "in my late twenties" alone is 26 to 29. A decade said beside another
    number ("ill since my twenties, I'm 45") is no age: the number is read as usual."""
    match = _DECADE_SAID.search(clean)
    if not match:
        return None
    tens = _DECADES[match.group("word")] if match.group("word") else int(match.group("tens")) * 10
    low, high = _PARTS[match.group("part")]
    low, high = max(tens + low, 13 if tens == 10 else 0), tens + high
    numbers = [int(n) for n in re.findall(r"(?<![\d.])\d{1,3}(?![\d.])", clean[: match.start()] + clean[match.end() :])]
    inside = {n for n in numbers if low <= n <= high}
    if len(inside) == 1:
        years = inside.pop()
        return Age(years, years)
    if numbers or not re.search(r"(?:\bin (?:my|her|his) |^\s*)$", clean[: match.start()]):
        return None
    return Age(low, high)


# A year alone, next to digits or CJK as well as words ("1962年生", "62年生的", "born 1962"); "94年" on
# its own is a year too ("属狗的,94年" was read as 94 years old), from 27 up: "病了12年" is a span.
_YEAR = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d\d)(?![0-9A-Za-z])|(?<!\d)(\d\d)(?=\s*年\s*(?:生|出生|的|人|属))"
    # "92年农历八月十五生的", "90年腊月生的", "88年端午节生的"; not "20年前生了场病", "20年没生过病"
    r"|(?<!\d)(\d\d)(?=\s*年(?!\s*[前后以来间内里多])[^，。,.没不未]{0,8}?(?:生|出生))"
    # after a verb it is a span: "得狼疮27年", "病了30年"
    r"|(?<!\d)(?:(?<![\u4e00-\u9fff])|(?<=[我是俺]))(2[7-9]|[3-9]\d)(?=\s*年\s*(?:$|[,，。.!！;；\s]))"
)
_BORN_IN_MONTH = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d)")
_DECADE = re.compile(r"(?<!\d)([1-9])0\s*后|([一二三四五六七八九])零\s*后")
# The age word before or after the number: "虚岁19", "虚岁是19岁", "19岁（虚岁）", "我19，虚岁的".
_NOMINAL = re.compile(r"虚岁[^\d]{0,3}?(\d{1,3})(?!\d)|(?<!\d)(\d{1,3})\s*岁?\s*[（(，,、\s]?\s*(?:按|算)?虚岁")
_AGE_WORD = re.compile(r"虚岁|周岁|实岁|足岁")
# A numeral from 十 to 九十九 that is the whole answer: "五十三", "今年三十四了", "我四十啦"; not "四" alone,
# more likely a slip for 四十 than an age of 4 (which would rule the person out).
_BARE_NUMERAL = re.compile(
    r"^\s*(?:我?今年|我)?\s*[一二三四五六七八九]?十[一二三四五六七八九]?\s*(?:了|啦|呀|吧)?\s*[。.!！~]?\s*$"
)
_NUMERAL_RUN = re.compile(
    r"(?<![一二三四五六七八九十])(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])(?![一二三四五六七八九十百千万])"
)
_EXACT = re.compile(r"(?:周岁|实岁|足岁)[^\d]{0,3}?(\d{1,3})(?!\d)|(?<!\d)(\d{1,3})\s*(?:周岁|实岁|足岁)")


def _full_year(two_digits: int, today: date) -> int:
    """ "62" is 1962, "05" is 2005: the century that puts the year in the past."""
    return 2000 + two_digits if 2000 + two_digits <= today.year else 1900 + two_digits


def _birth_year(clean: str, today: date) -> int | None:
    match = _YEAR.search(clean)
    if not match:
        return None
    rest = clean[: match.start()] + clean[match.end() :]
    if re.search(r"(?<![\d.])\d{1,3}(?![\d.])", rest) and not re.search(r"born|birth|生", clean):
        return None  # "I was 18 in 2010": the year is not a birth year
    return int(match.group(1)) if match.group(1) else _full_year(int(next(g for g in match.groups()[1:] if g)), today)


def _born_in_month(year: int, month: int, today: date) -> Age | None:
    """Born some day of a month: the ages that month allows, and the nearest birthday of it."""
    try:
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
    if first > today:
        return None
    ages = [age_on(d, today) for d in (first, min(last, today))]
    if ages[0].min_years == ages[1].min_years:
        return Age(ages[0].min_years, ages[0].min_years, min(a.days_to_birthday or 0 for a in ages))
    return Age(min(a.min_years for a in ages), max(a.max_years for a in ages))


_AGE_AFTER = r"\s*(?:years?|yrs?|y\.?o\.?|y/o)\b"
_AGE_BEFORE = r"\b(?:i'm|im|i am|am|aged?|age is|turned|be|just)\s+(?:about\s+|around\s+)?$"
# An age still to come is a year more than the age now: "almost 66", "I'll be 66 next August", "明年满66".
_SOON = (
    r"(?:\b(?:almost|nearly|about to turn|turning|soon|(?:i'?ll|i will|will|gonna|going to) (?:be|turn))\s+"
    r"|(?:明年|快要?|马上|下个月|年底).{0,6}[满过]\s*)$"
)
# ...or said after it: "34, well 35 in January", "66 next month" (a month still to come this year or next);
# not after a verb of the past ("I turned 18 in May").
_SOON_AFTER = re.compile(r"^\s*(?:(?:in|come|by) (?P<month>[a-z]+)|next (?:month|year|week)|soon)\b")
_PAST_BEFORE = re.compile(r"\b(?:turned|was|had|became|celebrated|hit)\b[^,.;]*$")
# Words that may stand beside a bare age without changing its meaning.
_BARE_OK = {"i", "im", "i'm", "am", "about", "around", "old", "age", "aged", "my", "is", "just", "turned"}


# A number with a Chinese unit after it counts something else: "得狼疮12年了" (12 years ill) is no age.
_COUNTED_UNIT = re.compile(
    r"\s*(?:多|几)?\s*(?:个|年|月|周(?!岁)|星期|礼拜|天|日|号|次|片|粒|斤|公斤|千克|米|块|元|层|楼|届|级|期|毫|克)"
)


def _said_as_age(before: str, after: str, alone: bool) -> bool:
    if _COUNTED_UNIT.match(after):
        return False
    if re.match(_AGE_AFTER, after) or re.search(_AGE_BEFORE, before) or re.search(r"满\s*$", before):
        return True  # "满65了": turned 65
    return alone and set(re.findall(r"[a-z']+", before + " " + after)) <= _BARE_OK


def _to_come(before: str, after: str, today: date) -> bool:
    """The number is an age still to come, said after it: "35 in January" (in December), "66 next month"."""
    soon = _SOON_AFTER.match(after)
    if not soon or _PAST_BEFORE.search(before):
        return False
    month = soon.group("month")
    return not month or (month in english().months and english().months[month] != today.month)


def _from_number(clean: str, today: date) -> Age | None:
    """An age written as a number, only where the words around it say it is an age.

    "Type 2 diabetes" or "3 kids" must never become an age.
    """
    matches = list(re.finditer(r"(?<![\d.])(\d{1,3})(?!\d|\.\d)", clean))
    strong: list[Age] = []
    for match in matches:
        years = int(match.group(1))
        before, after = clean[: match.start()], clean[match.end() :]
        if not 0 < years <= OLDEST:
            continue
        if re.search(_SOON, before) or _to_come(before, after, today):
            strong.append(Age(years - 1, years - 1))
        elif _said_as_age(before, after, alone=len(matches) == 1):
            strong.append(Age(years, years))
    return strong[0] if len(set(strong)) == 1 else None  # "满65了，明年才满66": one age said twice
