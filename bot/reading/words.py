"""Plain-English words from ``lexicon/en.yml``: yes/no, numbers, months, time units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from bot import LEXICON_DIR
from bot.yamlfile import load_yaml

# 俺, the northern "I" ("俺老公在打修美乐"), reads as 我: one character for one, so places in the text hold.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "俺": "我"})
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces; the dialect 俺 is 我 ("I")."""
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def squeeze(text: str) -> str:
    """Repeated letters count once, so "yesss" and "noo" read as "yes" and "no"."""
    return re.sub(r"([a-z])\1+", r"\1", text)


@dataclass(frozen=True)
class English:
    answers: dict[str, tuple[str, ...]]
    dose: dict[str, tuple[str, ...]]
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    fractions: dict[str, float]
    vague: dict[str, tuple[float, float]]
    months: dict[str, int]
    time_units: dict[str, float]
    hedges: tuple[str, ...]
    ongoing: tuple[str, ...]
    medicine_filler: frozenset[str]
    contrast: tuple[str, ...]
    conjunctions: tuple[str, ...]
    nasal_route: tuple[str, ...]
    injected_route: tuple[str, ...]
    injected_forms: dict[str, str]
    which_test: tuple[str, ...]
    course_after_procedure: tuple[str, ...]
    yes_no_filler: frozenset[str]
    treatment_words: tuple[str, ...]
    care_words: tuple[str, ...]
    excepted_care: tuple[str, ...]
    skin_sites: tuple[str, ...]
    routes: tuple[str, ...]
    pulse_doses: tuple[str, ...]
    last_dose: tuple[str, ...]
    asks_if_it_counts: tuple[str, ...]
    labels_it: tuple[str, ...]
    having: tuple[str, ...]
    immune: tuple[str, ...]
    pregnancy: tuple[str, ...]
    pregnancy_not_now_before: tuple[str, ...]
    pregnancy_not_now_after: tuple[str, ...]
    formula_feeding: tuple[str, ...]
    nursing_itself: tuple[str, ...]
    others: tuple[str, ...]
    me_too: tuple[str, ...]
    first_person: tuple[str, ...]
    hypothetical: tuple[str, ...]
    future: tuple[str, ...]
    no_reasons: dict[str, tuple[str, ...]]
    states: tuple[str, ...]


@lru_cache(maxsize=1)
def english() -> English:
    raw: dict[str, Any] = load_yaml(LEXICON_DIR / "en.yml")
    num = raw["numbers"]

    def phrases(group: dict[str, list[Any]]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(normalise(str(p)) for p in v) for k, v in group.items()}

    return English(
        answers=phrases(raw["answers"]),
        dose=phrases(raw["dose"]),
        units=dict(num["units"]),
        tens=dict(num["tens"]),
        scales=dict(num["scales"]),
        fractions={k: float(v) for k, v in num["fractions"].items()},
        vague={k: (float(v[0]), float(v[1])) for k, v in num["vague"].items()},
        months=dict(raw["months"]),
        time_units={k: float(v) for k, v in raw["time_units"].items()},
        hedges=tuple(normalise(h) for h in raw["hedges"]),
        ongoing=tuple(normalise(h) for h in raw["ongoing"]),
        medicine_filler=frozenset(normalise(str(w)) for w in raw["medicine_filler"]),
        contrast=tuple(normalise(str(w)) for w in raw["contrast"]),
        conjunctions=tuple(normalise(str(w)) for w in raw["conjunctions"]),
        nasal_route=tuple(normalise(str(w)) for w in raw["nasal_route"]),
        injected_route=tuple(normalise(str(w)) for w in raw["injected_route"]),
        injected_forms={str(k): str(v) for k, v in raw["injected_forms"].items()},
        which_test=tuple(normalise(str(w)) for w in raw["which_test"]),
        course_after_procedure=tuple(normalise(str(w)) for w in raw["course_after_procedure"]),
        yes_no_filler=frozenset(normalise(str(w)) for w in raw["yes_no_filler"]),
        treatment_words=tuple(normalise(str(w)) for w in raw["treatment_words"]),
        care_words=tuple(normalise(str(w)) for w in raw["care_words"]),
        excepted_care=tuple(normalise(str(w)) for w in raw["excepted_care"]),
        skin_sites=tuple(normalise(str(w)) for w in raw["skin_sites"]),
        routes=tuple(normalise(str(w)) for w in raw["routes"]),
        pulse_doses=tuple(normalise(str(w)) for w in raw["pulse_doses"]),
        last_dose=tuple(normalise(str(w)) for w in raw["last_dose"]),
        asks_if_it_counts=tuple(normalise(str(w)) for w in raw["asks_if_it_counts"]),
        labels_it=tuple(normalise(str(w)) for w in raw["labels_it"]),
        having=tuple(normalise(str(w)) for w in raw["having"]),
        immune=tuple(normalise(str(w)) for w in raw["immune"]),
        pregnancy=tuple(normalise(str(w)) for w in raw["pregnancy"]),
        pregnancy_not_now_before=tuple(normalise(str(w)) for w in raw["pregnancy_not_now"]["before"]),
        pregnancy_not_now_after=tuple(normalise(str(w)) for w in raw["pregnancy_not_now"]["after"]),
        formula_feeding=tuple(normalise(str(w)) for w in raw["formula_feeding"]),
        nursing_itself=tuple(normalise(str(w)) for w in raw["nursing_itself"]),
        **{k: tuple(normalise(str(w)) for w in v) for k, v in raw["attribution"].items()},
        no_reasons=phrases(raw["no_reasons"]),
        states=tuple(str(name) for name in raw["states"]),
    )


def phrase_pattern(phrases: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    """One regex matching any phrase as whole words, longest first."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = re.escape(p).replace(r"\ ", r"\s+")
        # CJK has no word boundaries; Latin phrases must not match inside a word.
        # A Latin phrase is a word beside CJK: the "ok" of "OK的", the "yes" of "yes我愿意".
        parts.append(body if _CJK.search(p) else rf"(?<![A-Za-z0-9_']){body}(?![A-Za-z0-9_'])")
    return re.compile("|".join(parts))


@cache
def _one_phrase(phrase: str) -> re.Pattern[str]:
    return phrase_pattern([phrase])


@cache
def _ordered_phrases(section: str) -> tuple[tuple[str, str], ...]:
    pairs = [(squeeze(v), key) for key, values in getattr(english(), section).items() for v in values]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


# 是 after a word of its clause is "is", no answer: "表面抗体是阳性的", "胆囊是八月中旬切的", "就是普通感冒"
# (just). After an adverb ("也是", "确实是", "应该是"), a negation ("不是"), or at the end ("对，就是") it is one.
_COPULA = re.compile(r"(?<=[\u4e00-\u9fff])(?<![不也还都对嗯实定该真没])是(?![的啊呀呢吧]?[，,。.!！\s]|[的啊呀]?$)")
# 对 inside a word is no "right": 对象 / 对像 (partner), 反对 (against), 对方, 面对, "对我来说". It is one on
# its own, doubled, after 嗯 / 是 / 不 ("不对" is a no) or before 的 / 啊 / 呀 / 头 or the clause's end.
_NOT_RIGHT = re.compile(r"(?<=[\u4e00-\u9fff])(?<![嗯是也都就不对])对|对(?![的啊呀呢吧哦嘛头对]|[，,。.!！?？~\s]|$)")

# 会 ("will") inside a word is no yes: 那会儿 / 一会儿 (a while), 机会, 开会, 约会, 聚会, 社会, 学会, 体会...
# ("上次吃头孢是国庆那会儿了" was read as a yes; held-out 2026-12-07g).
_NOT_WILL = re.compile(r"(?<=[那这一哪开约聚机社学协大晚早体领理误宴例])会|会(?=儿)")


def find_groups(text: str, section: str) -> list[str]:
    """Keys of ``section`` (answers, dose) whose phrases occur in ``text``.

    Longer phrases claim their words first, so "not sure" is not also "sure",
    and "no idea" is not also "no".
    """
    remaining = squeeze(normalise(text))
    if section == "answers":
        remaining = _NOT_WILL.sub(" ", _NOT_RIGHT.sub(" ", _COPULA.sub(" ", remaining)))
    found: list[str] = []
    for phrase, key in _ordered_phrases(section):
        pattern = _one_phrase(phrase)
        if pattern.search(remaining):
            remaining = pattern.sub(" | ", remaining)
            if key not in found and key != "neither":  # an idiom such as "no problem": no answer
                found.append(key)
    return found


@cache
def _list_pattern(name: str) -> re.Pattern[str]:
    return phrase_pattern(list(getattr(english(), name)))


def list_pattern(name: str) -> re.Pattern[str]:
    """The phrases of one of English's word lists (``contrast``, ``pregnancy``, ...) as one pattern."""
    return _list_pattern(name)


@cache
def no_reasons_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """The reasons that keep a no (``no_reasons`` of lexicon/en.yml) for a question, as one pattern."""
    return phrase_pattern([p for name in names for p in english().no_reasons[name]])


def is_hedged(text: str) -> bool:
    return bool(_list_pattern("hedges").search(normalise(text)))


def mentions_ongoing(text: str) -> bool:
    return bool(_list_pattern("ongoing").search(normalise(text)))
