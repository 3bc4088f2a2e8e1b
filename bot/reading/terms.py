"""Find the medicines, vaccines, procedures and conditions named in a message.

The spaCy pipeline's entity rules find the names of the lexicon. Three passes
then catch what people actually type: a name split by a space or hyphen
("cell-cept", "fk 506"), a misspelling one or two letters off
("Benlista"; rapidfuzz measures the distance), and a Chinese medicine name typed with one
homophone ("奥美拉挫"; lexicon/name_sounds.json). A misspelled or mistyped match is a guess, so it is
marked unverified: one of a class the criteria exclude goes to the study team.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extractOne
from spacy.tokens import Doc

from bot import LEXICON_DIR
from bot.reading.lexicon import Entry, lexicon, name_key
from bot.reading.nlp import UNVERIFIED, pipeline
from bot.reading.typos import everyday, limit

_MAX_JOIN = 3  # tokens joined when looking for a split name


@dataclass(frozen=True)
class Term:
    entry: Entry
    text: str  # the words as the person typed them
    start: int  # character offsets in the message
    end: int
    verified: bool = True

    @property
    def category(self) -> str:
        return self.entry.category


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[Entry, bool]]:
    index: dict[str, tuple[Entry, bool]] = {}
    for entry in lexicon().entries.values():
        for name in entry.names:
            index.setdefault(name_key(name), (entry, True))
        for name in entry.unverified_names:
            index.setdefault(name_key(name), (entry, False))
    return index


@lru_cache(maxsize=1)
def _fuzzy_candidates() -> dict[str, tuple[tuple[str, ...], tuple[Entry, ...]]]:
    """Single-word Latin names of 5+ letters, by first letter: the names, and their entries."""
    by_letter: dict[str, list[tuple[str, Entry]]] = {}
    for key, (entry, verified) in _name_index().items():
        if verified and key.isascii() and key.isalpha() and len(key) >= 5:
            by_letter.setdefault(key[0], []).append((key, entry))
    return {letter: (tuple(k for k, _ in pairs), tuple(e for _, e in pairs)) for letter, pairs in by_letter.items()}


def _fuzzy(word: str) -> Entry | None:
    names, entries = _fuzzy_candidates().get(word[0], ((), ()))
    found = extractOne(word, names, scorer=DamerauLevenshtein.distance, score_cutoff=limit(word))
    return None if found is None else entries[found[2]]


def _from_entities(doc: Doc) -> list[Term]:
    found = []
    for ent in doc.ents:
        key = ent.ent_id_.removesuffix(f":{UNVERIFIED}")
        entry = lexicon().entries.get(key)
        if entry:
            verified = not ent.ent_id_.endswith(f":{UNVERIFIED}")
            found.append(Term(entry, ent.text, ent.start_char, ent.end_char, verified))
    return found


def _joined(doc: Doc) -> list[Term]:
    """Names typed with a space or hyphen inside them ("cell-cept", "fk 506", "hydroxy chloroquine")."""
    index = _name_index()
    tokens = [t for t in doc if not t.is_space]
    found = []
    for i in range(len(tokens)):
        for size in range(1, min(_MAX_JOIN, len(tokens) - i) + 1):
            span = doc[tokens[i].i : tokens[i + size - 1].i + 1]
            if size == 1 and not any(ch in span.text for ch in "-_"):
                continue  # a plain single word is already an entity if it is a name
            if size > 1 and any(t.is_stop for t in span):
                continue  # "bar I" is no "BARI" (baricitinib)
            hit = index.get(name_key(span.text))
            if hit:
                found.append(Term(hit[0], span.text, span.start_char, span.end_char, hit[1]))
    return found


def _misspelt(doc: Doc, taken: set[int]) -> list[Term]:
    index = _name_index()
    found = []
    for token in doc:
        word = token.lower_
        if (
            token.idx not in taken
            and word.isascii()
            and word.isalpha()
            and len(word) >= 5
            and not token.is_stop
            and word not in index
            and not everyday(word)  # "injection" is no slip of "infection"
        ):
            entry = _fuzzy(word)
            if entry:
                found.append(Term(entry, token.text, token.idx, token.idx + len(token), verified=False))
    return found


_CHINESE = re.compile(r"[\u4e00-\u9fff]+")


Sounds = tuple[
    dict[str, frozenset[str]], dict[tuple[str, str], tuple[tuple[str, str, tuple[frozenset[str], ...]], ...]]
]


@lru_cache(maxsize=1)
def _sounds() -> Sounds:
    """lexicon/name_sounds.json (tools/name_sounds.py): the readings of each character, and the Chinese
    medicine names of three or more characters with the readings people type for each of their characters,
    found by the readings of their first two."""
    raw = json.loads((LEXICON_DIR / "name_sounds.json").read_text(encoding="utf-8"))
    readings = {c: frozenset(map(_u_for_v, r)) for c, r in raw["readings"].items()}
    said: dict[tuple[str, str], list[set[str]]] = {}
    for key, found in raw["names"].items():
        for name, entry in found:
            places = said.setdefault((name, entry), [set() for _ in name])
            for place, reading in zip(places, key.split(), strict=True):
                place.add(_u_for_v(reading))
    by_start: dict[tuple[str, str], list[tuple[str, str, tuple[frozenset[str], ...]]]] = {}
    for (name, entry), places in said.items():
        for first, second in itertools.product(places[0], places[1]):
            by_start.setdefault((first, second), []).append((name, entry, tuple(map(frozenset, places))))
    return readings, {k: tuple(v) for k, v in by_start.items()}


def _u_for_v(reading: str) -> str:
    """lü and nü (typed "lv", "nv") sound as lu and nu: typed "lu", the input method offers 录 for 氯
    ("羟录喹" for 羟氯喹; held-out 2026-12-07g)."""
    return reading.replace("v", "u")


def _slipped(text: str, taken: set[int]) -> list[Term]:
    """Chinese medicine and illness names typed with one homophone, the input method's wrong candidate (奥美拉挫 for
    奥美拉唑, 雷公腾 for 雷公藤): read as the name meant, and, like a misspelling, unverified."""
    readings, by_start = _sounds()
    found: list[Term] = []
    for run in _CHINESE.finditer(text):
        for start in range(run.start(), run.end() - 2):
            if start in taken:
                continue
            heads = itertools.product(readings.get(text[start], ()), readings.get(text[start + 1], ()))
            names = sorted({n for head in heads for n in by_start.get(head, ())}, key=lambda n: -len(n[0]))
            for name, entry, places in names:
                typed = text[start : start + len(name)]
                if (
                    len(typed) == len(name)
                    and not taken.intersection(range(start, start + len(name)))
                    and sum(a != b for a, b in zip(name, typed, strict=True)) == 1
                    and all(readings.get(c, frozenset()) & place for c, place in zip(typed, places, strict=True))
                ):
                    found.append(Term(lexicon().entries[entry], typed, start, start + len(name), verified=False))
                    taken.update(range(start, start + len(name)))
                    break
    return found


def find_terms(text: str, categories: tuple[str, ...] | None = None) -> list[Term]:
    """Every name in ``text``, in order, optionally only of some categories.

    Where matches overlap, the longest wins, whatever its category: "hydroxy chloroquine" is one
    medicine, not "chloroquine", and 乙肝疫苗 (the hepatitis B vaccine) is no hepatitis B.
    """
    return [t for t in _find_terms(text) if not categories or t.category in categories]


@lru_cache(maxsize=512)
def _find_terms(text: str) -> tuple[Term, ...]:
    # Reading one answer asks for its names several times (each reader, each clause check).
    doc = pipeline()(text)
    candidates = _from_entities(doc) + _joined(doc)
    candidates.sort(key=lambda t: (t.start - t.end, t.start))
    terms: list[Term] = []
    taken: set[int] = set()
    for term in candidates:
        if not taken.intersection(range(term.start, term.end)):
            terms.append(term)
            taken.update(range(term.start, term.end))
    terms += _misspelt(doc, taken)
    terms += _slipped(text, taken)
    return tuple(sorted(terms, key=lambda t: t.start))
