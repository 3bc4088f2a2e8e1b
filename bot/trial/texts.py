"""Every text a person (or the study team) sees in a trial file, by a stable key.

The key is the path to the text: lists are keyed by their items' ``id``
(``questions.age.retry``, ``criteria.inc_age.reasons.too_young``). A translation
of a trial is a file of these keys with their texts in another language
(``trials/<registry id>.zh.yml``); ``make texts`` writes them side by side for
the site's clinicians.

    >>> raw = {"questions": [{"id": "age", "type": "age", "text": "How old are you?"}]}
    >>> text_leaves(raw)
    {'questions.age.text': 'How old are you?'}
    >>> with_texts(raw, {"questions.age.text": "您今年多大？"})["questions"][0]["text"]
    '您今年多大？'
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

# Mappings whose every string is a text.
_ALL_TEXTS = frozenset({"outcomes", "common_reasons", "texts", "faq", "answer_words", "titles", "reasons"})
# Fields that hold a text wherever they stand.
_TEXT_FIELDS = frozenset(
    {"name", "topic", "label", "text", "retry", "why", "which", "confirm", "summary"}
    | {"short_name", "full_name", "city", "role"}
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class TextsError(ValueError):
    """A translation that does not match its trial file: a text missing, extra, or with other placeholders."""


def _texts(node: Any, path: tuple[str, ...] = (), all_texts: bool = False) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(key, the mapping holding the text, its field) for every text under ``node``, in file order."""
    if isinstance(node, dict):
        for field, value in node.items():
            field = str(field)
            if isinstance(value, str):
                if all_texts or field in _TEXT_FIELDS:
                    yield ".".join((*path, field)), node, field
            else:
                yield from _texts(value, (*path, field), all_texts or field in _ALL_TEXTS)
    elif isinstance(node, list):
        for item in node:
            name = item.get("id", item.get("name")) if isinstance(item, dict) else None  # contacts have no id
            if name is not None:
                yield from _texts(item, (*path, str(name)), all_texts)


def text_leaves(raw: dict[str, Any]) -> dict[str, str]:
    """Every text of a trial file (as loaded from YAML), by key, in file order."""
    return {key: holder[field] for key, holder, field in _texts(raw)}


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def check_texts(base: dict[str, str], other: dict[str, str], language: str) -> None:
    """Refuse a translation whose keys or placeholders differ from the trial file's."""
    missing, extra = sorted(set(base) - set(other)), sorted(set(other) - set(base))
    if missing or extra:
        raise TextsError(f"{language}: texts missing {missing[:5]}, not in the trial file {extra[:5]}")
    for key, text in base.items():
        if not isinstance(other[key], str) or placeholders(other[key]) != placeholders(text):
            raise TextsError(f"{language}: {key} must have the placeholders {sorted(placeholders(text))}")


def with_texts(raw: dict[str, Any], texts: dict[str, str], language: str = "") -> dict[str, Any]:
    """A copy of the trial file ``raw`` with its texts replaced by ``texts`` (checked first)."""
    check_texts(text_leaves(raw), texts, language)
    translated = copy.deepcopy(raw)
    for key, holder, field in _texts(translated):
        holder[field] = texts[key]
    return translated
