"""Spot messages that need urgent help before anything else (screener principles §2).

The words live in ``lexicon/red_flags.yml``; this module only decides how they match:
inflected English forms, negation that governs the symptom itself, history that is not
an emergency, and temperatures or blood pressures over a threshold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import LEXICON_DIR
from bot.reading.words import normalise
from bot.yamlfile import load_yaml

SELF_HARM = "self_harm"
_CJK = re.compile(r"[\u3400-\u9fff]")
# After a number: "fever for 40 hours" and "blood pressure pills 200 mg" are not readings.
_NOT_A_READING = r"(?!\s*(?:hours?|hrs?|days?|weeks?|months?|years?|times?|mins?|minutes?|mg|天|小时|个|周|年|次|分))"
_PLAUSIBLE = {"c": 46.0, "f": 115.0}  # a body temperature is below these


@dataclass(frozen=True)
class RedFlag:
    category: str  # a red-flag group such as "chest", or SELF_HARM

    @property
    def is_self_harm(self) -> bool:
        return self.category == SELF_HARM


def _plain(text: str) -> str:
    """Lower case without apostrophes or hyphens: "don't" and "dont" read the same."""
    return normalise(text).replace("'", "").replace("-", " ")


def _word(word: str, inflect: bool) -> str:
    """One English word, with -s/-es/-d/-ed/-ing (and a doubled last letter) if ``inflect``."""
    if not inflect or len(word) < 3 or not word.isalpha():
        return re.escape(word)
    stem = word[:-1] if word.endswith("e") else word
    return f"(?:{word}(?:s|es|d|ed|ing)?|{stem}ing|{word}{word[-1]}(?:ed|ing))"


def _either(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _pattern(
    phrases: Iterable[str], inflect: bool = False, en_gap: str = r"\s+", zh_gap: str = r"\s*"
) -> re.Pattern[str]:
    """Any of ``phrases``, longest first: English as whole words, Chinese anywhere.

    ``en_gap`` and ``zh_gap`` are what may come between the words (English) or characters (Chinese).
    """
    parts = []
    for phrase in sorted({_plain(p) for p in phrases}, key=len, reverse=True):
        if _CJK.search(phrase):
            parts.append(zh_gap.join(map(re.escape, phrase)))
        elif phrase.isalnum() or " " in phrase:
            body = en_gap.join(_word(w, inflect) for w in phrase.split())
            parts.append(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
        else:
            parts.append(re.escape(phrase))  # punctuation such as "," or "。"
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class _Lexicon:
    self_harm: re.Pattern[str]
    groups: tuple[tuple[str, re.Pattern[str]], ...]
    not_red_flags: re.Pattern[str]
    temperature: tuple[str, tuple[re.Pattern[str], ...], dict[str, float]]  # category, patterns, {"c": 39, "f": 102}
    pressure: tuple[str, tuple[re.Pattern[str], ...], int, int]  # category, patterns, systolic, diastolic
    negation: re.Pattern[str]
    window: int
    clause_break: re.Pattern[str]
    subject_break: re.Pattern[str]
    not_negating: re.Pattern[str]
    undone_after: re.Pattern[str]
    zh_negation: re.Pattern[str]
    zh_not_negating: tuple[str, ...]
    list_gap: re.Pattern[str]
    past: re.Pattern[str]
    now: re.Pattern[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw: dict[str, Any] = load_yaml(LEXICON_DIR / "red_flags.yml")
    neg, history, measure = raw["negation"], raw["history"], raw["measurements"]
    temp, bp = measure["temperature"], measure["blood_pressure"]
    number = r"(?<!\d)(\d{2,3}(?:\.\d+)?)(?!\.?\d)"
    gap = r"[^\d,.;:!?，。；：！？]{0,15}?"  # a few words, no clause break or other number
    unit = r"(°\s*[cf]?|degrees?(?:\s*[cf](?![a-z]))?|度|[cf](?![a-z]))"
    temp_words = _pattern(temp["words"], inflect=True).pattern
    bp_words = _pattern(bp["words"]).pattern
    # Symptoms may be typed "fever, chills", "chest really hurts", "胸口很痛"; cue words must be exact.
    strong = raw["intensifiers"]
    en_gap = rf"[\s,/&+]+(?:(?:{_either(strong['en'])})\s+)?"
    zh_gap = rf"\s*(?:(?:{_either(strong['zh'])})\s*)?"

    def symptoms(phrases: Iterable[str]) -> re.Pattern[str]:
        return _pattern(phrases, inflect=True, en_gap=en_gap, zh_gap=zh_gap)

    return _Lexicon(
        self_harm=symptoms(raw["self_harm"]),
        groups=tuple((name, symptoms(phrases)) for name, phrases in raw["categories"].items()),
        not_red_flags=_pattern(raw["not_red_flags"]),
        temperature=(
            temp["category"],
            # "fever 39.5", "体温40度", or a number with its unit right before: "a 40 degree fever"
            (
                re.compile(rf"(?:{temp_words}){gap}{number}\s*{unit}?{_NOT_A_READING}"),
                re.compile(rf"{number}\s*{unit}\s*(?:{temp_words})"),
            ),
            {"c": float(temp["celsius"]), "f": float(temp["fahrenheit"])},
        ),
        pressure=(
            bp["category"],
            (
                re.compile(rf"(?:{bp_words}){gap}(\d{{2,3}})(?:\s*(?:/|over|／|\\)\s*(\d{{2,3}}))?{_NOT_A_READING}"),
                # A reading on its own, "200/120": nothing else people type here looks like that.
                re.compile(r"(?<![\d/])(?<!\d\.)(\d{2,3})\s*[/／]\s*(\d{2,3})(?![\d/]|\.\d)"),
            ),
            int(bp["systolic"]),
            int(bp["diastolic"]),
        ),
        negation=_pattern(neg["en"]),
        window=int(neg["window"]),
        clause_break=_pattern(neg["clause_breaks"]),
        subject_break=_pattern(neg["subject_words"]),
        not_negating=_pattern(neg["not_negating"]),
        undone_after=_pattern(neg["undone_after"]),
        zh_negation=re.compile(rf"(?:{_either(neg['zh'])})\s*(?:(?:{_either(neg['zh_between'])})\s*){{0,2}}$"),
        zh_not_negating=tuple(neg["zh_not_negating"]),
        list_gap=re.compile(rf"\s*(?:(?:{_pattern(neg['list_words']).pattern})\s*)?"),
        past=_pattern(history["past"]),
        now=_pattern(history["now"]),
    )


def _clause(text: str, start: int, end: int, lex: _Lexicon) -> tuple[str, str]:
    """The parts of the clause holding ``text[start:end]`` before and after it."""
    before = lex.clause_break.split(text[:start])[-1]
    after = lex.clause_break.split(text[end:])[0]
    return before, after


def _negated(text: str, start: int, end: int, lex: _Lexicon) -> bool:
    """Whether the symptom at ``text[start:end]`` is itself negated ("no chest pain", "没有胸痛")."""
    if _CJK.match(text, start):
        # Only right before the symptom: "我不舒服,胸痛" and "不停抽搐" are red flags.
        found = lex.zh_negation.search(text[:start].rstrip())
        return found is not None and not found.group().startswith(lex.zh_not_negating)
    before, after = _clause(text, start, end, lex)
    before = lex.subject_break.split(before)[-1]  # "no I have chest pain": the "no" answers something else
    words = lex.not_negating.sub(" ", " ".join(before.split()[-lex.window :]))
    return bool(lex.negation.search(words)) and not lex.undone_after.search(after)


def _history(text: str, start: int, end: int, lex: _Lexicon) -> bool:
    """A symptom from months or years ago that the message does not say is back."""
    before, after = _clause(text, start, end, lex)
    return bool(lex.past.search(before) or lex.past.search(after)) and not lex.now.search(text)


def _measurements(text: str, lex: _Lexicon) -> Iterable[tuple[str, re.Match[str]]]:
    """A fever of 39 °C / 102 °F or more, a blood pressure of 180 systolic or 110 diastolic or more."""
    category, patterns, threshold = lex.temperature
    for match in (m for pattern in patterns for m in pattern.finditer(text)):
        degrees, unit = float(match.group(1)), match.group(2) or ""
        scale = "f" if "f" in unit or (not unit and degrees > 50) else "c"  # no unit: °C below 50
        if threshold[scale] <= degrees < _PLAUSIBLE[scale]:
            yield category, match
    category, patterns, systolic, diastolic = lex.pressure
    for match in (m for pattern in patterns for m in pattern.finditer(text)):
        high, low = int(match.group(1)), int(match.group(2) or 0)
        if (high >= systolic or low >= diastolic) and high > low:  # systolic first
            yield category, match


def find_red_flag(text: str) -> RedFlag | None:
    """The most urgent red flag in ``text``: self-harm first, then the first group (in the lexicon's order)."""
    lex = _lexicon()
    clean = lex.not_red_flags.sub(" | ", _plain(text))
    if lex.self_harm.search(clean):
        return RedFlag(SELF_HARM)
    matches = [(name, m) for name, pattern in lex.groups for m in pattern.finditer(clean)]
    matches += _measurements(clean, lex)
    found, negated_end = [], -1
    for name, m in sorted(matches, key=lambda nm: nm[1].start()):
        listed = negated_end >= 0 and lex.list_gap.fullmatch(clean, negated_end, m.start())
        if listed or _negated(clean, m.start(), m.end(), lex):
            negated_end = m.end()  # "没有胸闷气短": the next symptom in the list is negated too
        elif not _history(clean, m.start(), m.end(), lex):
            found.append(name)
    order = [name for name, _ in lex.groups]
    return RedFlag(min(found, key=order.index)) if found else None


def evaluate(phrases: Mapping[str, Any]) -> dict[str, Any]:
    """Recall and false-alarm rate over a phrase set such as tests/data/red_flag_phrases.yml.

    ``phrases`` holds ``positives: {language: {category: [text, ...]}}`` and
    ``negatives: {language: [text, ...]}``. A positive counts as caught when it gets the
    right message (crisis for self_harm, emergency otherwise); a caught one in another
    emergency group is listed under ``wrong_category``.
    """
    positives = [(t, c) for by_category in phrases["positives"].values() for c, ts in by_category.items() for t in ts]
    negatives = [t for texts in phrases["negatives"].values() for t in texts]
    missed, wrong = [], []
    for text, category in positives:
        flag = find_red_flag(text)
        if flag is None or flag.is_self_harm != (category == SELF_HARM):
            missed.append(text)
        elif flag.category != category:
            wrong.append(text)
    false_alarms = [t for t in negatives if find_red_flag(t) is not None]
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "recall": 1 - len(missed) / max(len(positives), 1),
        "false_alarm_rate": len(false_alarms) / max(len(negatives), 1),
        "missed": missed,
        "wrong_category": wrong,
        "false_alarms": false_alarms,
    }
