"""The vocabulary of things people name: medicines, vaccines, procedures, conditions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import LEXICON_DIR
from bot.yamlfile import load_yaml

# category -> (file, list key, field that holds the kind)
CATEGORIES = {
    "medicine": ("medicines.yml", "medicines", "class"),
    "vaccine": ("vaccines.yml", "vaccines", "kind"),
    "procedure": ("procedures.yml", "procedures", "kind"),
    "condition": ("conditions.yml", "conditions", "kind"),
}


_CJK = re.compile(r"[\u3400-\u9fff]")


class LexiconError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    category: str
    id: str
    kind: str  # a medicine's class, or a vaccine's / procedure's / condition's kind
    label: str
    names: tuple[str, ...]
    unverified_names: tuple[str, ...] = ()
    group: str | None = None  # conditions: cancer | infection
    route: bool = False  # the study team decides even when the kind has a rule
    by_drip: str | None = None  # the entry it is when given by drip or as a pulse (a steroid pulse)
    # spaCy token patterns for names that follow a shape rather than a list ("...ectomy", "脾切除")
    shapes: tuple[tuple[dict[str, object], ...], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.category}:{self.id}"

    def label_in(self, language: str) -> str:
        """How the bot names it in ``language``: the label in English; in Chinese its first Chinese
        name (the names list the generic name first), else the English label."""
        if language == "zh":
            return next((n for n in self.names if _CJK.search(n)), self.label)
        return self.label


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]  # by key
    medicine_classes: dict[str, dict[str, object]]
    digest: str

    def get(self, key: str) -> Entry:
        return self.entries[key]

    def of(self, category: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.category == category]


def name_key(name: str) -> str:
    """What makes two spellings the same name: case, spaces and hyphens don't count."""
    return "".join(ch for ch in name.lower() if ch not in " -‐–_")


def lexicon_files(directory: Path = LEXICON_DIR) -> list[Path]:
    """The files the spaCy pipeline is built from."""
    return [directory / filename for filename, _, _ in CATEGORIES.values()]


def lexicon_digest(directory: Path = LEXICON_DIR) -> str:
    sha = hashlib.sha256()
    for path in lexicon_files(directory):
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    entries: dict[str, Entry] = {}
    classes: dict[str, dict[str, object]] = {}
    owners: dict[str, str] = {}  # name key -> entry key, across every file
    for category, (filename, list_key, kind_field) in CATEGORIES.items():
        raw = load_yaml(directory / filename)
        if category == "medicine":
            classes = {k: dict(v) for k, v in raw["classes"].items()}
        for item in raw[list_key]:
            entry = Entry(
                category=category,
                id=str(item["id"]),
                kind=str(item[kind_field]),
                label=str(item["label"]),
                names=tuple(str(n) for n in item.get("names") or ()),
                unverified_names=tuple(str(n) for n in item.get("unverified_names") or ()),
                group=item.get("group"),
                route=bool(item.get("route", False)),
                by_drip=item.get("by_drip"),
                shapes=tuple(tuple(dict(token) for token in shape) for shape in item.get("shapes") or ()),
            )
            if entry.key in entries:
                raise LexiconError(f"{filename}: id {entry.id} is used twice")
            if category == "medicine" and entry.kind not in classes:
                raise LexiconError(f"{filename}: {entry.id} has unknown class {entry.kind}")
            if not entry.names:
                raise LexiconError(f"{filename}: {entry.id} has no names")
            for name in entry.names + entry.unverified_names:
                k = name_key(name)
                if owners.get(k, entry.key) != entry.key:
                    raise LexiconError(f"{filename}: {name!r} names both {owners[k]} and {entry.key}")
                owners[k] = entry.key
            entries[entry.key] = entry
    return Lexicon(entries=entries, medicine_classes=classes, digest=lexicon_digest(directory))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return load_lexicon()
