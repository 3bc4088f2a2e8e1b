"""Urine protein results in the units people read off their reports.

Everything that can meet the criterion is converted to grams: a protein to
creatinine ratio (UPCR) to g/g, a 24-hour collection to g per day. Albumin
ratios (UACR) and dipstick grades measure something else and are never
converted (domain-reference.md §4.4, §4.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reading.chinese import numerals
from bot.reading.numbers import words_to_digits

CREATININE_MG_PER_MMOL = 113.12  # molar mass of creatinine, g/mol

UPCR = "upcr"
PROTEIN_24H = "protein_24h"
UACR = "uacr"
DIPSTICK = "dipstick"
CONCENTRATION = "concentration"  # g/L or mg/dL with no volume: not a daily amount
SEVERAL = "several"  # two results in one answer ("1.3 last year, now 0.6"): the study team reads the report
BOUND = "bound"  # "less than 1.5 g/g", "up to 2 g": not a value; the study team reads the report
NO_UNIT = "no_unit"


@dataclass(frozen=True)
class ProteinResult:
    measure: str
    grams: float | None = None  # g/g for a ratio, g per 24 h for a collection
    grams_max: float | None = None  # the top of a range ("110-125 mg/mmol"), else the same as grams

    def as_dict(self) -> dict[str, str | float | None]:
        return {"measure": self.measure, "grams": self.grams, "grams_max": self.grams_max}


_NUM = r"(?<![\d.,])(?P<num>\d+(?:[.,]\d+)?)(?:\s*(?:-|–|—|to)\s*(?P<num2>\d+(?:[.,]\d+)?))?"
_RATIO_UNITS = {
    "g/g": 1.0,
    "mg/mg": 1.0,
    "mg/g": 0.001,
    "g/mg": 1000.0,
    "mg/mmol": 1 / CREATININE_MG_PER_MMOL,
    "g/mmol": 1000 / CREATININE_MG_PER_MMOL,
    "g/mol": 1 / CREATININE_MG_PER_MMOL,
}
# "mmoll", "mmmol": slips of mmol are mmol.
_RATIO = re.compile(_NUM + r"\s*(?P<unit>(?:mg|g)\s*(?:/|per)\s*(?:m?mmol|mmoll?|mol|mg|g(?:ram)?))\b")
# A mass over something not a day ("150 mg/mmoll" with a slip the ratio does not read) is no daily amount.
_DAILY = re.compile(
    _NUM + r"\s*(?P<unit>mgs?|milligrams?|g|gms?|grms?|grams?|grammes?|gr|克|毫克)(?![a-z])"  # "2.3 grms", "mgs": slips
    r"(?!\s*(?:/|per)\s*(?!24|day|d\b|daily|天|日)\S)"  # "210毫克/毫摩儿": over a slip, no day
    r"(?P<day>\s*(?:/|per|in|a|each|every|每)?\s*(?:24\s*-?\s*(?:h(?:ours?|rs?|r)?|小时)|day|d\b|daily|天|日))?"
)
# A ratio named ("PCR", "尿蛋白肌酐比值"): a mass said with it and no day is a ratio whose unit is missing.
_RATIO_NAMED = re.compile(r"(?<![a-z])u?p\s*/?\s*c\s*r(?![a-z])|protein\s*(?:/|to|-)?\s*creat|蛋白\s*/?\s*肌酐|肌酐比")
_CONCENTRATION = re.compile(_NUM + r"\s*(?P<unit>g\s*/\s*l|mg\s*/\s*dl|mg\s*/\s*l)\b")
_VOLUME = re.compile(r"(?P<vol>\d+(?:[.,]\d+)?)\s*(?P<unit>l|litres?|liters?|ml|升|毫升)(?![a-z/])")
# Albumin, not protein, ratios, however they are abbreviated ("UACR1500mg/g", "Alb/Cr", "UMA/Cr").
_UACR_WORDS = re.compile(
    r"(?<![a-z])(u?acr|alb\s*/\s*cr(ea)?|u?alb|albumin|microalbumin|micro\s*albumin|albumin[- ]creatinine|malb|uma|"
    r"uae|mau)(?![a-z])|白蛋白|微量白蛋白"
)
_DIPSTICK = re.compile(
    r"(?<![A-Za-z0-9+])(\+{1,4}|[1-4]\s*\+|trace|dipstick|urinalysis|urine test strip)(?![\w+])|尿常规|加号|定性"
)


# Chinese units as written on reports ("110毫克/毫摩尔", "1.2克每克", "0.5克/升"), in the units the
# patterns read; the longest first (毫克 before 克). A ratio in Chinese units is a ratio, never mg a day.
# 毫摩儿 and 毫摩 are slips of 毫摩尔 (held-out 2026-12-07i: "210毫克/毫摩儿" was read as 210 mg a day).
_ZH_UNITS: tuple[tuple[str, str], ...] = (
    ("毫克", "mg"),
    ("毫摩尔", "mmol"),
    ("毫摩儿", "mmol"),
    ("毫摩", "mmol"),
    ("微摩尔", "umol"),
    ("摩尔", "mol"),
)
_ZH_UNITS += (("毫升", "ml"), ("分升", "dl"), ("克", "g"), ("升", "l"))
_ZH_PER = re.compile(r"(?<=[a-z])\s*每\s*(?=(?:mmol|umol|mol|mg|g|ml|dl|l)(?![a-z]))")


def _latin_units(text: str) -> str:
    for chinese, latin in _ZH_UNITS:
        text = text.replace(chinese, latin)
    return _ZH_PER.sub("/", text)


_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})[ ,](\d{3})(?![\d.,])")  # "1 200 mg/g", "1,200 mg/g"
_SPELLED_DECIMAL = re.compile(r"\b(?:point|nought|decimal)\b|点")
# Numbers that are not a second result: a year, or the 24 of "24 hours".
_OTHER_NUMBER = re.compile(
    r"(?<![\d.,])(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?(?!\s*-?\s*(?:h(?:ours?|rs?|r)?\b|小时))(?![\d.,])"
    r"(?!\s*(?:月|号|日|年))"  # "10月查的" is when, not a second result
)
_BOUND_WORDS = re.compile(
    r"less than|more than|under|below|above|over|up to|at most|at least|<|>|≤|≥|不到|低于|高于|超过|以下|以上"
)


def _number(raw: str) -> float:
    # "1,5" is a decimal comma; "1,500" is a thousands separator.
    if "," in raw:
        head, tail = raw.split(",", 1)
        raw = head + tail if len(tail) == 3 else head + "." + tail
    return float(raw)


def _result(measure: str, match: re.Match[str], factor: float) -> ProteinResult:
    low = _number(match.group("num")) * factor
    high = _number(match.group("num2")) * factor if match.group("num2") else low
    return ProteinResult(measure, min(low, high), max(low, high))


def parse_protein(text: str) -> ProteinResult | None:
    """The result in ``text``, or None when there is no result in it.

    A number without a unit is ``NO_UNIT``: 120 could be 0.12 g/g (mg/g) or
    1.06 g/g (mg/mmol), so the bot asks for the unit and never guesses.
    """
    clean = _THOUSANDS.sub(r"\1\2", _latin_units(words_to_digits(numerals(text))).replace("µ", "u"))
    if _UACR_WORDS.search(clean.lower()):
        return ProteinResult(UACR)
    if _SPELLED_DECIMAL.search(clean.lower()):
        return ProteinResult(NO_UNIT)  # "zero point five grams": asked again as digits, never misread as 5
    ratios = list(_RATIO.finditer(clean))
    unratioed = _RATIO.sub(" ", clean)
    dailies = list(_DAILY.finditer(unratioed))
    measured = _DAILY.sub(" ", unratioed)
    concentrated = not ratios and _CONCENTRATION.search(clean)  # "0.6 g/L in 2.5 L" is one result
    # A second number, with its unit or without ("2.1 g/24h last year, 0.8 now"), is a second result.
    second = len(ratios) + len(dailies) > 1 or ((ratios or dailies) and _OTHER_NUMBER.search(measured))
    if second and not concentrated:
        return ProteinResult(SEVERAL)
    if (ratios or dailies) and _BOUND_WORDS.search(clean.lower()):
        return ProteinResult(BOUND)
    ratio = ratios[0] if ratios else None
    if ratio:
        unit = re.sub(r"m?mmoll?$", "mmol", re.sub(r"\s*per\s*", "/", ratio.group("unit")))
        unit = re.sub(r"\s+", "", unit).replace("gram", "g")
        return _result(UPCR, ratio, _RATIO_UNITS[unit])
    concentration = _CONCENTRATION.search(clean)
    if concentration:
        volume = _VOLUME.search(clean[: concentration.start()] + " " + clean[concentration.end() :])
        if not volume:
            return ProteinResult(CONCENTRATION)
        grams_per_litre = (
            _number(concentration.group("num"))
            * {"g/l": 1.0, "mg/dl": 0.01, "mg/l": 0.001}[re.sub(r"\s+", "", concentration.group("unit"))]
        )
        litres = _number(volume.group("vol")) / (1000 if volume.group("unit") in ("ml", "毫升") else 1)
        return ProteinResult(PROTEIN_24H, grams_per_litre * litres, grams_per_litre * litres)
    daily = _DAILY.search(clean)
    if daily and not daily.group("day") and _RATIO_NAMED.search(clean.lower()):
        return ProteinResult(NO_UNIT)  # "尿蛋白肌酐比值 210毫克": mg per what? asked again, never a daily amount
    if daily:
        milligrams = daily.group("unit").startswith("m") or daily.group("unit") == "毫克"
        return _result(PROTEIN_24H, daily, 0.001 if milligrams else 1.0)
    if _DIPSTICK.search(clean):
        return ProteinResult(DIPSTICK)
    if re.search(r"\d", clean):
        return ProteinResult(NO_UNIT)
    return None
