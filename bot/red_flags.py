"""Spot messages that need urgent help before anything else (screener principles §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot import LEXICON_DIR
from bot.words import normalise, phrase_pattern
from bot.yamlfile import load_yaml

SELF_HARM = "self_harm"


@dataclass(frozen=True)
class RedFlag:
    category: str  # a red-flag group such as "chest", or SELF_HARM

    @property
    def is_self_harm(self) -> bool:
        return self.category == SELF_HARM


def _plain(text: str) -> str:
    """Lower case without apostrophes or hyphens: "don't" and "dont" read the same."""
    return normalise(text).replace("'", "").replace("-", " ")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]], re.Pattern[str]]:
    raw = load_yaml(LEXICON_DIR / "red_flags.yml")
    negation = phrase_pattern([_plain(n) for n in raw["negations"]])
    groups = [(name, phrase_pattern([_plain(p) for p in phrases])) for name, phrases in raw["categories"].items()]
    return phrase_pattern([_plain(p) for p in raw["self_harm"]]), groups, negation


def _negated(text: str, start: int, negation: re.Pattern[str]) -> bool:
    """A negation within the three words before a match ("no chest pain", "never had a seizure")."""
    before = " ".join(text[:start].split()[-3:])
    return bool(negation.search(before))


def find_red_flag(text: str) -> RedFlag | None:
    """The most urgent red flag in ``text``: self-harm first, then any other group."""
    clean = _plain(text)
    self_harm, groups, negation = _patterns()
    if self_harm.search(clean):
        return RedFlag(SELF_HARM)
    for name, pattern in groups:
        for match in pattern.finditer(clean):
            if not _negated(clean, match.start(), negation):
                return RedFlag(name)
    return None
