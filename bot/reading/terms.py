"""Find the medicines, vaccines, procedures and conditions named in a message.

The spaCy pipeline's entity rules find the names of the lexicon. Two passes
then catch what people actually type: a name split by a space or hyphen
("cell-cept", "fk 506"), and a misspelling one or two letters off
("Benlista"). A misspelled match is a guess, so it is marked unverified and
always goes to the study team.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from bot.reading.lexicon import Entry, lexicon, name_key
from bot.reading.nlp import UNVERIFIED, pipeline

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
def _fuzzy_candidates() -> dict[str, list[tuple[str, Entry]]]:
    """Single-word Latin names of 5+ letters, by first letter."""
    by_letter: dict[str, list[tuple[str, Entry]]] = {}
    for key, (entry, verified) in _name_index().items():
        if verified and key.isascii() and key.isalpha() and len(key) >= 5:
            by_letter.setdefault(key[0], []).append((key, entry))
    return by_letter


def _edit_distance(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _fuzzy(word: str) -> Entry | None:
    limit = 1 if len(word) < 9 else 2
    best: tuple[int, Entry] | None = None
    for key, entry in _fuzzy_candidates().get(word[0], []):
        distance = _edit_distance(word, key, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, entry)
    return best[1] if best else None


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
        ):
            entry = _fuzzy(word)
            if entry:
                found.append(Term(entry, token.text, token.idx, token.idx + len(token), verified=False))
    return found


def find_terms(text: str, categories: tuple[str, ...] | None = None) -> list[Term]:
    """Every name in ``text``, in order, optionally only of some categories.

    Where matches overlap, the longest wins: "hydroxy chloroquine" is one
    medicine, not "chloroquine".
    """
    return list(_find_terms(text, categories))


@lru_cache(maxsize=512)
def _find_terms(text: str, categories: tuple[str, ...] | None) -> tuple[Term, ...]:
    # Reading one answer asks for its names several times (each reader, each clause check).
    doc = pipeline()(text)
    candidates = [t for t in _from_entities(doc) + _joined(doc) if not categories or t.category in categories]
    candidates.sort(key=lambda t: (t.start - t.end, t.start))
    terms: list[Term] = []
    taken: set[int] = set()
    for term in candidates:
        if not taken.intersection(range(term.start, term.end)):
            terms.append(term)
            taken.update(range(term.start, term.end))
    terms += [t for t in _misspelt(doc, taken) if not categories or t.category in categories]
    return tuple(sorted(terms, key=lambda t: t.start))
