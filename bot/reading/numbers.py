"""Numbers written as words ("thirty-four", "a hundred and five") become digits."""

from __future__ import annotations

import re

from bot.reading.words import english, normalise

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


def _continues(number: int, kind: str, value: int) -> bool:
    """Whether a number word extends the number read so far ("thirty" + "four")."""
    if kind == "scale":
        return True
    if kind == "tens":
        return number % 100 == 0
    return number % 10 == 0 and (number % 100 != 0 or value < 20)


def words_to_digits(text: str) -> str:
    """Replace each run of number words with its digits; other text is kept.

    "a"/"an" count as one only when a unit of time or a scale follows
    ("a week ago", "a hundred"), so ordinary "a" is left alone.
    """
    tokens = _WORD.findall(normalise(text).replace("-", " - "))
    out: list[str] = []
    number: int | None = None
    glue: list[str] = []  # separators after a number, kept unless the number goes on

    def close() -> None:
        nonlocal number
        if number is not None:
            out.append(str(number))
        out.extend(glue)
        glue.clear()
        number = None

    for i, tok in enumerate(tokens):
        kind_value = _value(tok)
        if tok in ("a", "an") and kind_value:
            following = next((t for t in tokens[i + 1 :] if t.strip()), "")
            if following not in english().time_units and following not in english().scales:
                kind_value = None
        if kind_value is None:
            if number is not None and tok.strip() in ("", "-", "and"):
                glue.append(tok)
            else:
                close()
                out.append(tok)
            continue
        kind, value = kind_value
        if number is not None and _continues(number, kind, value):
            glue.clear()
            number = number * value if kind == "scale" else number + value
        else:
            close()
            number = value
    close()
    return "".join(out).replace(" - ", "-")
