"""Numbers written as words ("thirty-four", "a hundred and five") become digits."""

from __future__ import annotations

import re

from bot.words import english, normalise

_WORD = re.compile(r"[a-z]+|[^a-z]+")


def _value(word: str) -> tuple[str, int] | None:
    en = english()
    if word in en.units:
        return "unit", en.units[word]
    if word in en.tens:
        return "tens", en.tens[word]
    if word in en.scales:
        return "scale", en.scales[word]
    return None


def words_to_digits(text: str) -> str:
    """Replace each run of number words with its digits; other text is kept.

    "a"/"an" count as one only when a unit of time or a scale follows
    ("a week ago", "a hundred"), so ordinary "a" is left alone.
    """
    text = normalise(text).replace("-", " - ")
    tokens = _WORD.findall(text)
    out: list[str] = []
    total: int | None = None
    current = 0
    pending_glue: list[str] = []  # separators seen inside a number ("and", "-", spaces)

    def flush() -> None:
        nonlocal total, current
        if total is not None:
            out.append(str(total + current))
        out.extend(pending_glue)
        pending_glue.clear()
        total, current = None, 0

    for i, tok in enumerate(tokens):
        kind_value = _value(tok)
        if tok in ("a", "an") and kind_value:
            following = next((t for t in tokens[i + 1 :] if t.strip()), "")
            if following not in english().time_units and following not in english().scales:
                kind_value = None
        if kind_value is None:
            if total is not None and tok.strip() in ("", "-", "and"):
                pending_glue.append(tok)
                continue
            flush()
            out.append(tok)
            continue
        kind, value = kind_value
        pending_glue.clear()
        if total is None:
            total, current = 0, 0
        if kind == "scale":
            current = max(current, 1) * value
        elif kind == "tens" and current % 100 == 0:
            current += value
        elif kind == "unit" and current % 10 == 0 and (current % 100 != 0 or current == 0 or value < 20):
            current += value
        else:  # "twenty thirty" is two numbers, not one
            out.append(str(total + current))
            out.append(" ")
            total, current = 0, value
    flush()
    return re.sub(r"(\d) - (\d)", r"\1-\2", "".join(out)).replace(" - ", "-")
