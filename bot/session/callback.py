"""Asking for a call-back: the name to use, a phone number and the best time to call, one at a time.

The state travels in a Rasa slot as a small dict; ``step`` says what is asked next. Each reply
either moves on or asks again, kindly, with an example; after MAX_MISSES at the name or the number
the form gives up and the person gets the study team's number instead, and a time not understood
twice is any time. A bare "no" before the number is given cancels, and nothing is kept.

    >>> state = start()
    >>> state, _ = take(state, "my name is Wang Fang", "en", ("Morning", "Afternoon", "Any time"))
    >>> state["name"], state["step"]
    ('Wang Fang', 'phone')
    >>> state, _ = take(state, "138 1234 5678", "en", ("Morning", "Afternoon", "Any time"))
    >>> state["phone"], state["step"]
    ('+8613812345678', 'time')
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import phonenumbers

from bot.language import LANGUAGES_FILE
from bot.reading.answers import NO, YES, yes_no
from bot.reading.words import normalise
from bot.yamlfile import load_yaml

STEPS = ("name", "phone", "time")
MAX_MISSES = 2
MAX_NAME_CHARS = 40
TIMES = ("morning", "afternoon", "any")  # the keys of the trial's best times to call
_DIGITS = re.compile(r"\d")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A time said against ("not in the morning", "上午不方便") or by the clock ("9 pm", "晚上8点"): the
# buttons are asked for instead of a guess.
_NOT_A_CHOICE = re.compile(r"\b(?:not|no|don'?t|can'?t|cannot|never|except)\b|不|没|别|\d\s*(?:am|pm|a\.m|p\.m|点)")
_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")
# A number written without a country code is a Chinese one (the site is in Nanjing).
_HOME_REGION = "CN"


def start() -> dict[str, Any]:
    return {"step": "name", "misses": 0}


@cache
def _words(language: str) -> dict[str, Any]:
    spec = load_yaml(LANGUAGES_FILE)["languages"].get(language) or {}
    return dict(spec.get("call_back") or {})


def read_name(text: str, language: str) -> str | None:
    """The name to use, after "my name is", 叫我 and the like wherever the message says it; None for
    no name: empty, too long, with digits (a phone number typed too soon), a button's payload, or only
    a yes or a no."""
    name = _EDGES.sub("", " ".join(text.split()))
    if text.lstrip().startswith("/"):
        return None
    lowered = name.lower()
    for before in sorted(_words(language).get("name_before", ()), key=len, reverse=True):
        latin = before[-1].isascii()  # "im" is no prefix of "imogen"; 我叫 needs no space after it
        at = lowered.find(before)
        starts = at == 0 or (at > 0 and not lowered[at - 1].isalnum())
        if at >= 0 and starts and (not latin or lowered[at + len(before) : at + len(before) + 1] in " "):
            name = _EDGES.sub("", name[at + len(before) :])
            break
    else:
        if yes_no(name) in (YES, NO) and _short(name):
            return None
    if not name or len(name) > MAX_NAME_CHARS or _DIGITS.search(name):
        return None
    return name


def _short(text: str) -> bool:
    """A few words at most: "no", "no thanks", "不用了，谢谢"."""
    return len(text.split()) <= 3 and len(_HAN.findall(text)) <= 6


def read_phone(text: str) -> str | None:
    """One phone number in the text, in E.164 ("+8613812345678"), if it is a valid number: a Chinese
    one (mobile, or a landline with its area code) written as people in China write it, or any
    country's written with + and its code. None for no number, an invalid one, or several."""
    found = list(phonenumbers.PhoneNumberMatcher(text, _HOME_REGION, leniency=phonenumbers.Leniency.VALID))
    if len(found) != 1:
        return None
    number = found[0].number
    if phonenumbers.number_type(number) not in _CALLABLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_CALLABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def read_time(text: str, language: str, titles: tuple[str, ...]) -> str | None:
    """Which best time ("morning", "afternoon", "any") a reply names: a button's title, or its words.
    Both morning and afternoon is any time."""
    said = normalise(_EDGES.sub("", text))
    for key, title in zip(TIMES, titles, strict=True):
        if said == normalise(title):
            return key
    if _NOT_A_CHOICE.search(said):
        return None
    named = {
        key
        for key, words in dict(_words(language).get("times") or {}).items()
        if any(_has(said, normalise(str(word))) for word in words)
    }
    if {"morning", "afternoon"} <= named:
        return "any"
    return named.pop() if len(named) == 1 else None


def _has(said: str, word: str) -> bool:
    if re.search(r"[a-z]", word):
        # "8pm" is no afternoon: outside the team's hours, it is asked again
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z])", said) is not None
    return word in said


def take(state: dict[str, Any], text: str, language: str, time_titles: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The state after a reply, and what to say: "ask" (the next step, or the same one again after
    a miss: ``misses``), "done", "declined" (a clear no) or "gave_up"."""
    step = state["step"]
    value = {
        "name": lambda: read_name(text, language),
        "phone": lambda: read_phone(text),
        "time": lambda: read_time(text, language, time_titles),
    }[step]()
    # Only a bare no declines, before the number is given: "No, it's 138..." gives its number.
    # Once name and number are given, a time not understood is asked once more, then any time.
    if value is None and step != "time" and yes_no(text) == NO and _short(text) and not _DIGITS.search(text):
        return {"step": "declined"}, "declined"
    if value is None:
        misses = int(state.get("misses", 0)) + 1
        if misses >= MAX_MISSES and step == "time":
            value = "any"
        elif misses >= MAX_MISSES:
            return {"step": "gave_up"}, "gave_up"
        else:
            return {**state, "misses": misses}, "ask"
    following = STEPS.index(step) + 1
    state = {**state, step: value, "misses": 0, "step": STEPS[following] if following < len(STEPS) else "done"}
    return state, "done" if state["step"] == "done" else "ask"
