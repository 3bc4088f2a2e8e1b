"""Plain language, measured the same way in each language: a rule per text, and what breaks it.

    >>> problems("请问您今年多少岁？", "zh")
    []
    >>> problems("Notwithstanding considerable immunological heterogeneity, randomisation ensures comparability.", "en")
    ['reads at grade 35.5 (at most 8)']

English: the Flesch-Kincaid grade (textstat) of each text is 8 or lower.

Chinese: textstat knows no Chinese, so the rule follows the two measures Chinese readability
formulas rest on, sentence length and how common the characters are:
- no sentence (up to 。！？；：or a line break) is longer than 35 Chinese characters;
- in a text of 8 or more Chinese characters, at least 90% are among the 2,500 常用字 of the
  现代汉语常用字表 (1988; lexicon/common_chars_zh.txt, with its source), the characters a Chinese
  pupil learns to read and write by the end of primary school. The names of medicines, vaccines,
  conditions and procedures (the lexicon's Chinese names) are not counted: a person matches them
  against a pill box or a record, and they have no plainer word.
"""

from __future__ import annotations

import re
from functools import cache

import textstat

from bot import PROJECT_ROOT

COMMON_CHARS_FILE = PROJECT_ROOT / "lexicon" / "common_chars_zh.txt"
MAX_GRADE = 8.0
MAX_SENTENCE = 35  # Chinese characters
MIN_COMMON_SHARE = 0.9
MIN_CHARACTERS = 8  # below this, one rare character says little about a text
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[。！？；：!?;:\n]")  # a colon opens a new unit: "- 标签：说明"


@cache
def common_characters() -> frozenset[str]:
    lines = COMMON_CHARS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _names() -> re.Pattern[str]:
    from bot.reading.lexicon import lexicon  # the lexicon is loaded only when a Chinese text is measured

    names = {n for entry in lexicon().entries.values() for n in entry.names if _HAN.search(n)}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of English prose: references, phone numbers and addresses are not
    prose, and each line of a list is read as a sentence."""
    prose = re.sub(r"S-[A-Z0-9]{10}|\+?\d[\d\s]{6,}\d|\S+@\S+", "", text)
    prose = re.sub(r"[:.]?\n\s*[-·] ", ". ", prose)
    return float(textstat.flesch_kincaid_grade(prose))


def common_share(text: str) -> tuple[float, int]:
    """The share of a Chinese text's characters among the 常用字, names aside, and how many were counted."""
    counted = _HAN.findall(_names().sub("", text))
    if not counted:
        return 1.0, 0
    common = common_characters()
    return sum(ch in common for ch in counted) / len(counted), len(counted)


def problems(text: str, language: str) -> list[str]:
    """What keeps ``text`` from being plain in ``language``; nothing when it is."""
    if language == "zh":
        found = [
            f"a sentence of {n} characters (at most {MAX_SENTENCE}): {s}"
            for s in _SENTENCE_END.split(text)
            if (n := len(_HAN.findall(s))) > MAX_SENTENCE
        ]
        share, counted = common_share(text)
        if counted >= MIN_CHARACTERS and share < MIN_COMMON_SHARE:
            rare = "".join(
                dict.fromkeys(ch for ch in _HAN.findall(_names().sub("", text)) if ch not in common_characters())
            )
            found.append(f"{share:.0%} common characters (at least {MIN_COMMON_SHARE:.0%}); not common: {rare}")
        return found
    if len(text.split()) < 3:
        return []  # a button's label is no prose: the formula means nothing for one or two words
    level = grade(text)
    return [f"reads at grade {level:.1f} (at most {MAX_GRADE:.0f})"] if level > MAX_GRADE else []
