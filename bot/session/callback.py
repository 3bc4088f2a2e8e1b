"""Asking for a call-back: the name to use, a phone number and the best time to call, one at a time.

The state travels in a Rasa slot as a small dict; ``step`` says what is asked next. Each reply
either moves on or asks again, kindly, with an example; after MAX_MISSES at one step the form
gives up and the person gets the study team's number instead. A clear "no" at any step cancels,
and nothing is kept.

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
from bot.reading.answers import NO, yes_no
from bot.reading.words import normalise
from bot.yamlfile import load_yaml

STEPS = ("name", "phone", "time")
MAX_MISSES = 2
MAX_NAME_CHARS = 40
TIMES = ("morning", "afternoon", "any")  # the keys of the trial's best times to call
_DIGITS = re.compile(r"\d")
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
    """The name to use, without "my name is" and the like; None for no name (empty, too long, or
    with digits: a phone number typed too soon)."""
    name = _EDGES.sub("", " ".join(text.split()))
    lowered = name.lower()
    for before in sorted(_words(language).get("name_before", ()), key=len, reverse=True):
        latin = before[-1].isascii()  # "im" is no prefix of "imogen"; 我叫 needs no space after it
        if lowered.startswith(before) and (not latin or lowered[len(before) : len(before) + 1] in " "):
            name = _EDGES.sub("", name[len(before) :])
            break
    if not name or len(name) > MAX_NAME_CHARS or _DIGITS.search(name):
        return None
    return name


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
    if yes_no(text) == NO and not (step == "time" and read_time(text, language, time_titles)):
        return {"step": "declined"}, "declined"
    value = {
        "name": lambda: read_name(text, language),
        "phone": lambda: read_phone(text),
        "time": lambda: read_time(text, language, time_titles),
    }[step]()
    if value is None:
        misses = int(state.get("misses", 0)) + 1
        if misses >= MAX_MISSES:
            return {"step": "gave_up"}, "gave_up"
        return {**state, "misses": misses}, "ask"
    following = STEPS.index(step) + 1
    state = {**state, step: value, "misses": 0, "step": STEPS[following] if following < len(STEPS) else "done"}
    return state, "done" if state["step"] == "done" else "ask"
