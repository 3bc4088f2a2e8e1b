"""Slips of the finger in the few words that must never be missed ("breastfeedinng", "chset", "siezure").

A word counts as a slip of a listed word when it is one edit away (two for long words), is not
itself an everyday English word ("chest" is not a slip of "cheat"), and is long enough that a
single edit rarely turns one real word into another. rapidfuzz does the distance: it is maintained,
and far faster than Python loops over a vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extractOne
from wordfreq import zipf_frequency

EVERYDAY_ZIPF = 3.0  # as bot/reading/answers.py: a word this common in English is a word, not a slip
_WORD = re.compile(r"[a-z]+")
MIN_LENGTH = 4


def limit(word: str) -> int:
    """Edits allowed: one for words of up to 8 letters, two for longer ones."""
    return 1 if len(word) <= 8 else 2


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    return float(zipf_frequency(word, "en"))


def everyday(word: str) -> bool:
    return zipf(word) >= EVERYDAY_ZIPF


def slip_of(word: str, vocabulary: tuple[str, ...], past_is_no_slip: bool = False) -> str | None:
    """The listed word that ``word`` is a slip of, or None. With ``past_is_no_slip``, a listed word's
    past tense is none: "I still nursed him in 2019" is not "still nurse"."""
    if len(word) < MIN_LENGTH or word in vocabulary or everyday(word):
        return None
    if past_is_no_slip and word.endswith("d") and (word[:-1] in vocabulary or word[:-2] in vocabulary):
        return None
    found = extractOne(word, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=limit(word))
    return None if found is None else str(found[0])


@lru_cache(maxsize=16)
def _words(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the listed phrases that a slip can be told from (Latin, long enough)."""
    words = {w for phrase in phrases for w in phrase.split()}
    return tuple(sorted(w for w in words if w.isalpha() and w.isascii() and len(w) >= MIN_LENGTH))


def slips(text: str, vocabulary: tuple[str, ...], past_is_no_slip: bool = False) -> Iterator[tuple[int, int, str]]:
    """Each word of ``text`` (lower case) that is a slip of a listed word: its span and the word meant."""
    words = _words(vocabulary)
    for match in _WORD.finditer(text):
        meant = slip_of(match.group(), words, past_is_no_slip)
        if meant:
            yield match.start(), match.end(), meant


@lru_cache(maxsize=8)
def _neighbours(phrases: tuple[str, ...]) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each word of a listed phrase, keyed by the word beside it ("before"/"after" and that word):
    the words it may be a slip of."""
    found: dict[tuple[str, str], set[str]] = {}
    for phrase in phrases:
        parts = phrase.split()
        for i, part in enumerate(parts):
            if len(parts) < 2 or len(part) < MIN_LENGTH or not part.isalpha():
                continue
            if i:
                found.setdefault(("after", parts[i - 1]), set()).add(part)
            if i + 1 < len(parts):
                found.setdefault(("before", parts[i + 1]), set()).add(part)
    return {key: tuple(sorted(words)) for key, words in found.items()}


def _in_phrase(text: str, phrases: tuple[str, ...], past_is_no_slip: bool) -> Iterator[tuple[int, int, str]]:
    """Real words that are slips inside a listed phrase, told by the word beside them: "5 moths along"
    is "months along" ("moths" is a word, so only the phrase can tell)."""
    neighbours = _neighbours(phrases)
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    for n, (start, end, word) in enumerate(tokens):
        candidates = neighbours.get(("after", tokens[n - 1][2]), ()) if n else ()
        if n + 1 < len(tokens):
            candidates += neighbours.get(("before", tokens[n + 1][2]), ())
        for part in candidates:
            # a past tense is no slip: "nursed", and a strong verb's shorter vowel ("fed" of "feed")
            past = past_is_no_slip and (word in (part + "d", part + "ed") or word == part.replace("ee", "e", 1) != part)
            # An everyday word is meant as typed unless the listed one is ten times commoner: "5 moths
            # along" is months, but "still feeling tired" no "still feeding", "night fees" no "night
            # feed" (read as nursing, they ruled people out).
            meant = not everyday(word) or zipf(part) - zipf(word) >= 1
            if word != part and not past and meant and DamerauLevenshtein.distance(word, part) <= 1:
                yield start, end, part
                break


def respell(text: str, vocabulary: tuple[str, ...], past_is_no_slip: bool = False) -> tuple[str, list[int]]:
    """``text`` (lower case) with each slip of a listed word corrected, and where each character of the
    result stands in ``text`` (so what is found in the result can be found in the text)."""
    found = {start: (start, end, meant) for start, end, meant in _in_phrase(text, vocabulary, past_is_no_slip)}
    found.update({start: (start, end, meant) for start, end, meant in slips(text, vocabulary, past_is_no_slip)})
    out: list[str] = []
    origin: list[int] = []
    at = 0
    for start, end, meant in sorted(found.values()):
        out.append(text[at:start])
        origin += range(at, start)
        out.append(meant)
        origin += [end - 1 if i == len(meant) - 1 else min(start + i, end - 1) for i in range(len(meant))]
        at = end
    out.append(text[at:])
    origin += range(at, len(text) + 1)  # one past the end, for spans that end there
    return "".join(out), origin
