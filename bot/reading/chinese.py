"""Chinese numbers, spans and dates in the forms the English parsers read.

Numerals are read by cn2an (maintained; 一点二 -> 1.2, 二零二六 -> 2026, 一千二百 -> 1200), but only
where a unit or a date follows, so words such as 一直 or 一样 stay words. Spans people say before
cn2an could misread them are rewritten first: 两三周 is 2-3 weeks (cn2an alone reads 23), 十几天 is
11-19 days, 两个多月 is 2-3 months, 三个来月 about 3 months, 半个月 about 2 weeks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import cn2an

from bot import LEXICON_DIR
from bot.yamlfile import load_yaml

_DIGIT = "零〇一二两三四五六七八九"
_TIME_UNIT = r"(?:天|日|周|星期|礼拜|月|年)"
_UNIT = rf"(?:个)?{_TIME_UNIT}"
# A numeral run that is a number here: a unit, a date or an amount follows (or 第, 满 or an age word
# such as 虚岁 / 周岁 comes before).
_NUMERAL = re.compile(
    rf"(?<=第|满|岁)[{_DIGIT}十百千]+|[{_DIGIT}十百千万点]+(?=\s*(?:个|多|来|半|天|日|号|周|星期|礼拜|月|年|岁|虚岁|克|毫克|升|毫升|g|mg|片|粒|次))"
)
_VALUES = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


@lru_cache(maxsize=1)
def _zh() -> dict[str, Any]:
    return dict(load_yaml(LEXICON_DIR / "zh.yml"))


def _number(run: str) -> str:
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError):
        return run
    return str(int(value)) if float(value).is_integer() else str(value)


# Years are said digit by digit: 二零二六年, 六二年生的 (born in 1962), 九一年五月.
# After a two-digit year, what makes it a year and not a count of years ("23年那次", "24年底"; not
# "病了23年", "23年前"): held-out 2026-12-07g.
_IN_THAT_YEAR = r"(?:那|的时候|底|初|年底|年初|年中|上半年|下半年|春|夏|秋|冬|做|切|打|吃|用|住院|开始|停)"
_TWO_DIGIT_YEAR = re.compile(rf"(?<![\d.])(\d\d)年(?={_IN_THAT_YEAR})")
_YEAR = re.compile(rf"[{_DIGIT}]{{4}}(?=年)|[{_DIGIT}]{{2}}(?=年(?:生|出生|的|[{_DIGIT}十\d]+月|{_IN_THAT_YEAR}))")


def numerals(text: str) -> str:
    """Chinese numerals followed by a unit or date as digits: 三十四岁 -> 34岁, 一点二克 -> 1.2克."""
    text = _YEAR.sub(lambda m: "".join(str(_VALUES[ch]) for ch in m.group(0)), text)
    return _NUMERAL.sub(lambda m: _number(m.group(0)), spans(text))


def spans(text: str) -> str:
    """Approximate Chinese amounts as ranges: 两三周 -> 2-3周, 十几天 -> 11-19天, 两个多月 -> 2-3个月,
    二十多天 -> 21-29天, 一年多 -> 1-2年, 三个来月 -> 大约3个月, 十来天 -> 8-13天, 半个月 -> 10-20天,
    大半年 -> 6-12个月, 一个半月 -> 1.5个月; and amounts: 一克二 -> 1.2克, 两克多 -> 2-3克."""
    digit = f"[{_DIGIT}]"

    def pair(m: re.Match[str]) -> str:
        low, high = _VALUES[m.group(1)], _VALUES[m.group(2)]
        return f"{low}-{high}" if high > low else m.group(0)

    def teens(m: re.Match[str]) -> str:
        tens = _VALUES.get(m.group(1), 1)
        return f"{tens}1-{tens}9"

    def more(m: re.Match[str]) -> str:
        return _more(m.group(1)) + (m.group(2) or "")

    text = re.sub(rf"({digit}?)十几(?={_UNIT})", teens, text)
    text = re.sub(rf"({digit})({digit})(?={_UNIT})", pair, text)
    text = re.sub(rf"({digit}|\d+)个半(?=月)", lambda m: f"{_number(m.group(1))}.5个", text)
    text = re.sub(rf"([{_DIGIT}十百]+|\d+)(个)?多个?(?={_TIME_UNIT})", more, text)
    text = re.sub(rf"([{_DIGIT}十百]+|\d+)(个?{_TIME_UNIT})多", more, text)
    text = re.sub(rf"({digit}|\d+)个来(?=月)", lambda m: f"大约{_number(m.group(1))}个", text)
    text = re.sub(r"十来(?=天)", "8-13", text)  # about ten days
    text = re.sub(rf"({digit})克({digit})", lambda m: f"{_VALUES[m.group(1)]}.{_VALUES[m.group(2)]}克", text)  # 一克二
    text = re.sub(rf"({digit}|\d+)(克|毫克|升)多", more, text)  # 两克多: 2 to 3 g
    return text.replace("大半年", "6-12个月").replace("半个月", "10-20天")


def _more(run: str) -> str:
    """ "N多" (N and some more): N to N + 1, or for a round ten, 二十多, the tens above it (21 to 29)."""
    n = int(_number(run)) if _number(run).isdigit() else 0
    if n >= 10 and n % 10 == 0:
        return f"{n + 1}-{n + 9}"
    return f"{n}-{n + 1}" if n else run


def to_english(text: str) -> str:
    """Rewrite Chinese dates and durations ("三个月前", "2026年9月3日") in the English the parser reads."""
    zh = _zh()
    text = numerals(text)
    for phrase, english_text in sorted(zh["phrases"].items(), key=lambda kv: -len(kv[0])):
        text = text.replace(phrase, f" {english_text} ")
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", r" \1-\2-\3 ", text)
    months = {n: str(zh["month_names"][n]) for n in range(1, 13)}
    months.update(dict.fromkeys(range(13, 100), ""))  # not a month: left for the parser to reject
    text = re.sub(r"(\d{1,2})月(\d{1,2})[日号]", lambda m: f" {m.group(2)} {months[int(m.group(1))]} ", text)
    ago = "|".join(map(re.escape, zh["ago"]))
    number = r"\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?"
    for unit, english_unit in sorted(zh["units"].items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"({number})\s*{re.escape(unit)}\s*(?:{ago})", rf" \1 {english_unit} ago ", text)
    text = re.sub(r"(\d{4})年(\d{1,2})月份?", lambda m: f" {months[int(m.group(2))]} {m.group(1)} ", text)
    text = re.sub(r"(?<!\d)(\d{1,2})月份?(?!\d)", lambda m: f" in {months[int(m.group(1))]} ", text)
    text = _TWO_DIGIT_YEAR.sub(lambda m: f"{_century(int(m.group(1)))}年", text)
    return re.sub(r"(\d{4})年", r" in \1 ", text)


def _century(year: int) -> int:
    """A year said in two digits: 23 is 2023 and 98 is 1998 (treatments fall in the last decades)."""
    return 2000 + year if year < 40 else 1900 + year
