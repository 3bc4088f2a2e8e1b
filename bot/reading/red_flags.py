"""Spot messages that need urgent help before anything else (screener principles §2).

The words live in ``lexicon/red_flags.yml``; this module only decides how they match:
inflected English forms, typing slips (English) and input-method homophones (Chinese,
from ``lexicon/red_flag_homophones.json``, which ``tools/homophones.py`` writes), negation
that governs the symptom itself (and a plain denial of suicide), questions and "what if"s, history
that is not an emergency (long ago, or weeks ago and said to be over), breathlessness only on
effort, temperatures or blood pressures over a threshold, and a day's urine under one.

Each group's English and Chinese phrases are compiled apart, one pattern each, so a message
is searched only with the patterns of the scripts it is written in.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Indel
from wordfreq import zipf_frequency

from bot import LEXICON_DIR
from bot.reading.chinese import numerals
from bot.reading.typos import MIN_LENGTH, limit, slip_of
from bot.reading.words import english, normalise
from bot.yamlfile import load_yaml

SELF_HARM = "self_harm"
# The day a message is read on: years and months "back" count from it (today, unless a test of a set
# written on another day says which).
_ON_DAY: ContextVar[datetime.date | None] = ContextVar("red_flags_on_day", default=None)


@contextmanager
def on_day(day: datetime.date) -> Iterator[None]:
    """Read messages as if on ``day``: "三月份", said in December, is history; said in March, not."""
    token = _ON_DAY.set(day)
    try:
        yield
    finally:
        _ON_DAY.reset(token)


def _today() -> datetime.date:
    return _ON_DAY.get() or datetime.date.today()


# In the parse data of a message the classifier alone took for a red flag (rasa_plugins/red_flag_intent.py).
UNCONFIRMED = "red_flag_unconfirmed"
HOMOPHONES_FILE = LEXICON_DIR / "red_flag_homophones.json"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z]")
_WORD = re.compile(r"[a-z]+")
_FAR, _FARTHER = "…", "……"  # in a phrase: a few words of the same clause, or of the same sentence
_GAPS = re.compile(f"({_FARTHER}|{_FAR})")
_ENDINGS = ("ing", "ed", "es", "s", "d")  # kept by a slip of an inflected word: "siezures" is "seizures"
# A red-flag word is read into a message only where the word typed is no English word at all: stricter
# than bot.reading.typos (Zipf 3), as an emergency message on "overjoyed" (overdosed) or "peering"
# (peeing) costs more than a missed slip, and slips people make ("pian", "atack", "havnt") are rarer.
_A_WORD_ZIPF = 2.5
# 的, 地 and 得 are mixed up all the time ("疼的厉害"): all read as 得.
_PARTICLES = str.maketrans({"的": "得", "地": "得"})
# After a number: "fever for 40 hours" and "blood pressure pills 200 mg" are not readings.
_NOT_A_READING = r"(?!\s*(?:hours?|hrs?|days?|weeks?|months?|years?|times?|mins?|minutes?|mg|天|小时|个|周|年|次|分))"
_PLAUSIBLE = {"c": 46.0, "f": 115.0}  # a body temperature is below these
# A year ("in 2008", "2015年") or an age ("when I was 12", "at age 15", "12岁的时候", read 12岁得时候): history.
_YEAR = re.compile(
    r"(?<![a-z])(?:in|back in|around|during|about)\s+((?:19|20)\d\d)(?![\d/]|\.\d)|(?<!\d)((?:19|20)\d\d)\s*年"
)
# A year of two digits: "18年在单位晕倒", "22年以为自己中风了" (not "20年前", twenty years ago, nor "80年代").
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{2})\s*年(?!\s*(?:前|以前|之前|代|多|左右|了|级))")
# "since 2014": a year since which nothing is said to happen now (cut out before the now words are sought).
_SINCE_YEAR = re.compile(r"(?<![a-z])since\s+((?:19|20)\d\d)(?![\d/]|\.\d)")
# Two weeks or more back ("3 weeks ago", "三周前"), as far back as an episode said to be over needs.
_WEEKS_AGO = re.compile(
    r"(?<![a-z])(?:weeks\s+(?:ago|back|before)"
    r"|(?:(?<![\d.])(?:[2-9]|[1-9]\d)|[两二三四五六七八九十几])\s*个?\s*(?:周|星期|礼拜)(?:前|以前|之前))"
)
_AGE = re.compile(
    r"(?<![a-z])(?:when\s+(?:i|he|she|they|we)\s+(?:was|were)\s+(?:about\s+|around\s+)?\d{1,2}"
    r"|at\s+(?:the\s+)?age\s+(?:of\s+)?\d{1,2})(?!\d)|(?<!\d)\d{1,2}\s*岁(?:得时候|时|那年)"
)
# A month named in Chinese: "八月份", "10月" (not "3个月", three months, nor 正月 of the lunar year).
_ZH_MONTH = re.compile(r"(?<![\d个])(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月(?!\s*[前以之])")
# "in August", "back in march": a month (a name of English's months) said as when.
_EN_MONTH = r"(?<![a-z])(?:in|during|back in|around|since|early|late|mid)[\s-]+([a-z]+)(?![a-z])"
_ZH_NEGATING = "不没未无"  # before an episode said to be over, undo it: 不稳定了, 还没恢复
# A symptom told in the past tense: "my face drooped", "I coughed up blood" (not "bleed" or "need").
_PAST_TENSE = re.compile(r"[a-z]{2}(?<!e)ed(?![a-z])")
_SENTENCE_END = re.compile(r"[.!?。！？]")
_AFTER_NUMBER = re.compile(r"\d\s*$")  # a short form after a number is a unit: "20 kms" is kilometres
_NOT_CJK_BEFORE, _NOT_CJK_AFTER = r"(?<![\u3400-\u9fff])", r"(?![\u3400-\u9fff])"
# In the text the phrases are searched in, each intensifier ("very", "很", "特别") is masked by as many
# of these, so that the phrases need not spell out every intensifier that may come between their words.
_MARK = "\x01"
_MARKED = "\x01+"


@dataclass(frozen=True)
class RedFlag:
    category: str  # a red-flag group such as "chest", or SELF_HARM

    @property
    def is_self_harm(self) -> bool:
        return self.category == SELF_HARM


def _plain(text: str) -> str:
    """Lower case without apostrophes or hyphens ("don't" and "dont" read the same), 的 and 地 as 得."""
    return normalise(text).replace("'", "").replace("-", " ").translate(_PARTICLES)


def _word(word: str, inflect: bool) -> str:
    """One English word, with -s/-es/-d/-ed/-ing (and a doubled last letter) if ``inflect``."""
    if not inflect or len(word) < 3 or not word.isalpha():
        return re.escape(word)
    stem = word[:-1] if word.endswith("e") else word
    return f"(?:{word}(?:s|es|d|ed|ing)?|{stem}ing|{word}{word[-1]}(?:ed|ing))"


def _either(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _parts(phrase: str) -> list[str]:
    """A phrase's parts, split at "…" and "……"."""
    return [" ".join(part.split()) for part in _GAPS.split(phrase)[::2]]


def _joined(pieces: Sequence[str], phrase: str, near: str, far: str) -> str:
    """``pieces`` (one for each part of ``phrase``) joined by ``near`` where the phrase has "…" and
    ``far`` where it has "……"."""
    gaps = [near if gap == _FAR else far for gap in _GAPS.split(phrase)[1::2]]
    return pieces[0] + "".join(gap + piece for gap, piece in zip(gaps, pieces[1:], strict=True))


def homophone_phrases(raw: Mapping[str, Any]) -> list[str]:
    """The Chinese phrases where a homophone may stand for a character, those of the red-flag groups
    and of self-harm in the lexicon ``raw``: the parts (or whole phrases) of 3+ characters, and the
    whole phrases of two (a homophone in their second character, see _pair)."""
    phrases = [p for group in raw["categories"].values() for p in group] + list(raw["self_harm"])
    parts = {part for p in phrases for part in _parts(_plain(p)) if _CJK.search(part)}
    pairs = {_plain(p) for p in phrases if _is_pair(_plain(p))}
    return sorted({part for part in parts if len(part) >= 3} | pairs)


def _is_pair(phrase: str) -> bool:
    """A whole phrase of two Chinese characters (not a part of a phrase with "…")."""
    return len(phrase) == 2 and all(_CJK.match(c) for c in phrase)


@dataclass(frozen=True)
class _Style:
    """How the words of a phrase may be spread out: what may come between words (English) or
    characters (Chinese) and between the parts of a phrase with "…", inflections, homophones."""

    inflect: bool = False
    en_gap: str = r"\s+"
    zh_gap: str = r"\s*"
    en_far: str = r"\s+"
    zh_far: str = ""
    en_farther: str = r"\s+"
    zh_farther: str = ""
    homophones: Mapping[str, str] | None = None
    words: Mapping[str, Sequence[str]] | None = None  # three-character phrases cut into words
    not_slips: Mapping[str, tuple[str, ...]] | None = None  # real words, under each of their characters
    # What may come right before a two-character phrase with a homophone, besides no Chinese (slip_leads).
    leads: str = ""
    # Intensifiers, which are masked (_MARK) in the text searched; in a phrase, one stands for any.
    intensifiers: re.Pattern[str] | None = None


def _units(part: str, style: _Style) -> list[tuple[str, int]]:
    """The characters (Chinese) or words (English) of a phrase's part with their places in it; an
    intensifier in it is one _MARK, as in the masked text ("尿很少", "legs are very swollen")."""
    english = not _CJK.search(part)
    units, last = [], 0
    for found in style.intensifiers.finditer(part) if style.intensifiers is not None else ():
        units += _split(part[last : found.start()], last, english)
        units.append((_MARK, -1))
        last = found.end()
    return units + _split(part[last:], last, english)


def _split(text: str, offset: int, english: bool) -> list[tuple[str, int]]:
    if english:
        return [(m.group(), offset + m.start()) for m in re.finditer(r"\S+", text)]
    return [(c, offset + i) for i, c in enumerate(text) if not c.isspace()]


def _english(phrase: str, style: _Style) -> str:
    trimmed = _trimmed([_units(part, style) for part in _parts(phrase)])
    words = [[_MARKED if w == _MARK else _word(w, style.inflect) for w, _ in u] for u, _, _ in trimmed]
    found = _joined([style.en_gap.join(w) for w in words], phrase, style.en_far, style.en_farther)
    return _around(found, trimmed, rf"(?<={_MARK}\s)", rf"(?=\s{_MARK})")


def _around(found: str, trimmed: list[tuple[list[tuple[str, int]], bool, bool]], behind: str, ahead: str) -> str:
    return (behind if trimmed[0][1] else "") + found + (ahead if trimmed[-1][2] else "")


def _trimmed(parts: list[list[tuple[str, int]]]) -> list[tuple[list[tuple[str, int]], bool, bool]]:
    """The units of each part, without an intensifier at the very start or end of the phrase, and
    whether one was there: it is asked for around the match instead ("(?<=很)少尿"), so that a
    match starts on a word, and the negation before it is one ("不太好少尿" is not 不 少尿)."""
    found = [(units, False, False) for units in parts]
    first = parts[0]
    if first and first[0][0] == _MARK:
        found[0] = (first[1:], True, False)
    units, lead, _ = found[-1]
    if units and units[-1][0] == _MARK:
        found[-1] = (units[:-1], lead, True)
    return found


def _real_word(part: str, position: int, sound: str, not_slips: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether putting ``sound`` at ``position`` of ``part`` makes a word listed as no slip (抽出 of 抽搐)."""
    swapped = part[:position] + sound + part[position + 1 :]
    for word in not_slips.get(sound, ()):
        at = swapped.find(word)
        while at >= 0:
            if at <= position < at + len(word):
                return True
            at = swapped.find(word, at + 1)
    return False


def _slips_allowed(part: str, style: _Style) -> Iterable[tuple[int, str, str]]:
    """Where a homophone may stand in ``part``, and what may not come before and after it there.

    Nowhere in a part of two characters (抽出 is a word, as in 抽出时间, not a slip of 抽搐; a whole
    phrase of two takes one only as _pair allows); anywhere in four or more. In three, in a word of
    two or more characters (凶口疼), but in a one-character word only at the edge of the Chinese
    text, where it cannot start or end another word: 胸口通 on its own is a slip of 胸口痛, while
    舌头中间, 想去四川 and 不想成为 are no slips of 舌头肿, 想去死, 不想撑.
    """
    if len(part) < 3 or style.homophones is None:
        return []
    if len(part) > 3:
        return [(i, "", "") for i in range(len(part))]
    allowed, start = [], 0
    for word in (style.words or {}).get(part, ()):
        for i in range(start, start + len(word)):
            if len(word) > 1:
                allowed.append((i, "", ""))
            elif i in (0, len(part) - 1):
                allowed.append((i, _NOT_CJK_BEFORE if i == 0 else "", _NOT_CJK_AFTER if i else ""))
        start += len(word)
    return allowed


def _pair(phrase: str, style: _Style) -> str | None:
    """A two-character phrase with a homophone for its second character, where the phrase ends its
    clause (perhaps before 了 or 啦) after no Chinese or one of the leads: "我现在嘴外了" and "真想跳搂"
    are slips, 抽出 (a real word) and 方便些 (便血, after 方) are not."""
    sounds = (style.homophones or {}).get(phrase[1], "")
    sounds = "".join(s for s in sounds if not _real_word(phrase, 1, s, style.not_slips or {}))
    if not sounds:
        return None
    first = re.escape(phrase[0])
    # The first character, not after a Chinese one other than a lead: as a lookbehind after it, so
    # that the branch starts with a character and the search skips it quickly elsewhere.
    not_lead = rf"[^{re.escape(style.leads)}\x00-\u33ff\ua000-\U0010ffff]"
    return rf"{first}(?<!{not_lead}{first}){style.zh_gap}[{sounds}](?=[了啦]?{_NOT_CJK_AFTER})"


def _chinese(phrase: str, style: _Style) -> list[str]:
    """The phrase as written, and with one character of a 3+ character part (or the second of a
    two-character phrase) as a homophone."""
    parts = _parts(phrase)
    trimmed = _trimmed([_units(part, style) for part in parts])
    written = [[_MARKED if c == _MARK else re.escape(c) for c, _ in u] for u, _, _ in trimmed]

    def joined(characters: list[list[str]]) -> str:
        found = _joined([style.zh_gap.join(c) for c in characters], phrase, style.zh_far, style.zh_farther)
        return _around(found, trimmed, f"(?<={_MARK})", f"(?={_MARK})")

    found = [joined(written)]
    for k, part in enumerate(parts):
        places = {at: n for n, (_, at) in enumerate(trimmed[k][0]) if at >= 0}
        for i, before, after in _slips_allowed(part, style):
            sounds = (style.homophones or {}).get(part[i], "") if i in places else ""
            sounds = "".join(s for s in sounds if not _real_word(part, i, s, style.not_slips or {}))
            if sounds:
                slipped = [*written[k]]
                slipped[places[i]] = f"{before}[{sounds}]{after}"
                found.append(joined([slipped if j == k else w for j, w in enumerate(written)]))
    if _is_pair(phrase) and (pair := _pair(phrase, style)) is not None:
        found.append(pair)
    return found


def _compiled(
    phrases: Iterable[str], style: _Style
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, list[str]]:
    """English phrases as whole words (one pattern), Chinese ones anywhere (another), and the rest
    (punctuation such as "," or "。"), each longest first."""
    english, chinese, other = [], [], []
    for phrase in sorted({_plain(p) for p in phrases} - {""}, key=len, reverse=True):
        if _CJK.search(phrase):
            chinese += _chinese(phrase, style)
        elif _GAPS.sub("", phrase).replace(" ", "").isalnum():
            english.append(_english(phrase, style))
        else:
            other.append(re.escape(phrase))
    en = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(english)})(?![a-z0-9])") if english else None
    zh = re.compile(_grouped(chinese)) if chinese else None
    return en, zh, other


def _grouped(branches: Sequence[str]) -> str:
    """The Chinese alternatives ``branches`` as one, those that start with the same character merged
    under it ("胸(?:口痛|口疼|痛)"): the re module passes over an alternative quickly only by its first
    character, so a search tries each character once where it would try every phrase starting with it.

    Which alternative wins where several match at one place is kept: one is merged into its
    character's group only if no alternative between them may start with that character (a homophone
    at the start, "[凶匈]口疼", or one that cannot be told)."""
    items: list[tuple[str, list[str]] | str] = []
    groups: dict[str, list[str]] = {}
    for branch in branches:
        if _CJK.match(branch) and branch[1:2] not in ("*", "+", "?", "{"):
            if branch[0] not in groups:
                groups[branch[0]] = []
                items.append((branch[0], groups[branch[0]]))
            groups[branch[0]].append(branch[1:])
            continue
        items.append(branch)
        first = _first_characters(branch)
        for character in list(groups) if first is None else first:
            groups.pop(character, None)  # closed: later ones start a group after this alternative
    return "|".join(
        item if isinstance(item, str) else item[0] + (f"(?:{'|'.join(item[1])})" if len(item[1]) > 1 else item[1][0])
        for item in items
    )


def _first_characters(branch: str) -> set[str] | None:
    """The characters a Chinese alternative may start with, or None if that cannot be told: a
    lookbehind is passed over, then one character or a class of them ("[凶匈]")."""
    while branch.startswith(("(?<=", "(?<!")):
        branch = branch[branch.index(")") + 1 :]  # the lookbehinds made here hold no ")" of their own
    if branch and _CJK.match(branch):
        return {branch[0]}
    if branch.startswith("[") and (end := branch.find("]")) > 1 and all(_CJK.match(c) for c in branch[1:end]):
        return set(branch[1:end])
    return None


def _pattern(phrases: Iterable[str], style: _Style = _Style()) -> re.Pattern[str]:
    """Any of ``phrases`` as one pattern: English as whole words, Chinese anywhere."""
    en, zh, other = _compiled(phrases, style)
    either = [p.pattern for p in (en, zh) if p is not None] + other
    return re.compile("|".join(either) if either else r"(?!)")


@dataclass(frozen=True)
class _Phrases:
    """A group's phrases, English and Chinese apart."""

    en: re.Pattern[str] | None
    zh: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: Iterable[str], style: _Style) -> _Phrases:
        en, zh, _ = _compiled(phrases, style)
        return cls(en, zh)

    def finditer(self, text: str, latin: bool, cjk: bool) -> Iterator[re.Match[str]]:
        if latin and self.en is not None:
            yield from self.en.finditer(text)
        if cjk and self.zh is not None:
            yield from self.zh.finditer(text)

    def holds(self, found: re.Match[str]) -> bool:
        """Whether ``found`` (a match in the text searched) is one of these phrases, all of it."""
        pattern = self.zh if _CJK.match(found.string, found.start()) else self.en
        return pattern is not None and pattern.fullmatch(found.string, *found.span()) is not None


def _with_slips(phrases: Iterable[str], slips: Mapping[str, str]) -> list[str]:
    """``phrases`` and, for each everyday word typed for one of their words, the phrase so typed."""
    found = []
    for phrase in map(_plain, phrases):
        found.append(phrase)
        words = phrase.split()
        for typed, meant in slips.items():
            if meant in words and len(words) > 1:
                found.append(" ".join(typed if w == meant else w for w in words))
    return found


def _deletions(word: str, most: int) -> set[str]:
    """``word`` with up to ``most`` letters taken out."""
    found, last = {word}, {word}
    for _ in range(most):
        last = {w[:i] + w[i + 1 :] for w in last for i in range(len(w))}
        found |= last
    return found


@dataclass(frozen=True)
class _Vocabulary:
    """The words of the English red-flag phrases, indexed by their deletions so that the few
    within reach of a typed word are found without comparing it with all of them."""

    words: tuple[str, ...]
    near: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, words: Iterable[str]) -> _Vocabulary:
        # Only English words are read into slips: a misspelling listed as typed ("seizer") or pinyin
        # ("zisha") is no word to correct towards ("disha", a name, is no slip of zisha).
        kept = tuple(
            sorted(
                w
                for w in set(words)
                if w.isalpha() and w.isascii() and len(w) >= MIN_LENGTH and zipf_frequency(w, "en") > 0
            )
        )
        near: dict[str, list[str]] = {}
        for word in kept:
            for key in _deletions(word, 2):
                near.setdefault(key, []).append(word)
        return cls(kept, {k: tuple(v) for k, v in near.items()})

    def meant(self, word: str) -> str | None:
        """The listed word ``word`` is a slip of (bot.reading.typos.slip_of), or None; an inflected
        one keeps its ending ("siezures" is "seizures")."""
        if len(word) < MIN_LENGTH or word in self.words or zipf_frequency(word, "en") >= _A_WORD_ZIPF:
            return None
        meant = self._meant(word)
        for ending in _ENDINGS if meant is None else ():
            stem = word[: -len(ending)]
            if word.endswith(ending) and len(stem) >= MIN_LENGTH:
                if stem in self.words or stem + "e" in self.words:
                    return None  # a listed word, inflected: the phrases find it
                if found := self._meant(stem):
                    return found + ending
        return meant

    def _meant(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self.words:
            return None
        # Two strings within k edits share a string k deletions from each: only those are compared.
        candidates = {w for key in _deletions(word, limit(word)) for w in self.near.get(key, ())}
        # Of two as near, the one a missed or extra letter away: "barly" is "barely", not "badly".
        ordered = sorted(candidates, key=lambda w: (Indel.distance(word, w), w))
        return slip_of(word, tuple(ordered)) if candidates else None


@dataclass(frozen=True)
class _Hypothetical:
    conditional: re.Pattern[str]
    not_conditional: re.Pattern[str]
    now: re.Pattern[str]
    subjects: re.Pattern[str]
    happening: re.Pattern[str]
    cause: re.Pattern[str]
    cause_after: re.Pattern[str]
    asks: re.Pattern[str]
    happened: re.Pattern[str]
    zh_conditional: re.Pattern[str]
    zh_then: re.Pattern[str]
    zh_cause: re.Pattern[str]
    zh_cause_after: re.Pattern[str]
    zh_asks: re.Pattern[str]
    zh_asks_end: tuple[str, ...]
    zh_now: tuple[str, ...]
    zh_if_after: re.Pattern[str]  # 尿少的话怎么办: the condition marked after the symptom


@dataclass(frozen=True)
class _Exertion:
    """Breathlessness only on effort (lexicon: exertion)."""

    groups: frozenset[str]  # those holding one of the symptoms: the others are not looked at
    symptoms: _Phrases
    en_after: re.Pattern[str]  # "… if I run for the bus", matched at the start of the rest of the clause
    en_before: re.Pattern[str]  # "when I exercise I get …", searched in the clause before
    zh_before: re.Pattern[str]  # "一跑步就…", at the end of the clause before


@dataclass(frozen=True)
class _Denial:
    """A plain denial of suicide (lexicon: self_harm_denial)."""

    phrases: _Phrases
    en_before: re.Pattern[str]  # the whole of the clause before the phrase
    en_after: re.Pattern[str]  # the whole of the clause after it
    zh_before: re.Pattern[str]
    zh_after: re.Pattern[str]


@dataclass(frozen=True)
class _Urine:
    """A day's urine under a number of mL (lexicon: measurements, urine)."""

    category: str
    below: float
    # An amount after a word for urine ("尿量才三百毫升", "I pee about 300 ml a day") or before one
    # ("300 ml of urine"): groups "amount" (digits or Chinese numerals) and "word".
    readings: tuple[re.Pattern[str], ...]
    output: re.Pattern[str]  # a day's output by itself (尿量, "urine output"); other words need a day
    fewer: re.Pattern[str]  # "不到400毫升", "less than 400 ml": at most, rather than under
    daily: re.Pattern[str]
    per_void: re.Pattern[str]


@dataclass(frozen=True)
class _Lexicon:
    intensifiers: re.Pattern[str]
    self_harm: _Phrases
    groups: tuple[tuple[str, _Phrases], ...]
    vocabulary: _Vocabulary
    slang: Mapping[str, str]
    slang_words: re.Pattern[str]
    not_red_flags: re.Pattern[str]
    temperature: tuple[str, tuple[re.Pattern[str], ...], dict[str, float]]  # category, patterns, {"c": 39, "f": 102}
    shivering: tuple[re.Pattern[str], dict[str, float]]  # shaking chills, and the lower line they bring
    pressure: tuple[str, tuple[re.Pattern[str], ...], int, int]  # category, patterns, systolic, diastolic
    urine: _Urine
    negation: re.Pattern[str]
    between: re.Pattern[str]
    inverted: re.Pattern[str]
    window: int
    clause_break: re.Pattern[str]
    subject_break: re.Pattern[str]
    not_negating: re.Pattern[str]
    undone_after: re.Pattern[str]
    zh_negation: re.Pattern[str]
    zh_not_negating: tuple[str, ...]
    list_gap: re.Pattern[str]
    run_gap: re.Pattern[str]
    negated_after: re.Pattern[str]
    hypothetical: _Hypothetical
    exertion: _Exertion
    denial: _Denial
    past: re.Pattern[str]
    now: re.Pattern[str]
    told_past: re.Pattern[str]
    over: re.Pattern[str]
    others: re.Pattern[str]
    others_past: re.Pattern[str]
    first_person: re.Pattern[str]
    long_over: re.Pattern[str]
    recent: re.Pattern[str]
    happening: re.Pattern[str]


def _homophones() -> tuple[dict[str, str], dict[str, list[str]], dict[str, tuple[str, ...]]]:
    data = json.loads(HOMOPHONES_FILE.read_text(encoding="utf-8"))
    not_slips: dict[str, list[str]] = {}
    for word in data["not_slips"]:
        for character in set(word):
            not_slips.setdefault(character, []).append(word)
    return dict(data["homophones"]), dict(data["words"]), {c: tuple(w) for c, w in not_slips.items()}


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw: dict[str, Any] = load_yaml(LEXICON_DIR / "red_flags.yml")
    neg, history, measure, hypo = raw["negation"], raw["history"], raw["measurements"], raw["hypothetical"]
    effort, denial = raw["exertion"], raw["self_harm_denial"]
    temp, bp, urine = measure["temperature"], measure["blood_pressure"], measure["urine"]
    number = r"(?<!\d)(\d{2,3}(?:\.\d+)?)(?!\.?\d)"
    gap = r"[^\d,.;:!?，。；：！？]{0,15}?"  # a few words, no clause break or other number
    unit = r"(°\s*[cf]?|degrees?(?:\s*[cf](?![a-z]))?|度|[cf](?![a-z]))"
    temp_words = _pattern(temp["words"], _Style(inflect=True)).pattern
    shivering = _pattern(temp["shivering"], _Style(inflect=True)).pattern
    bp_words = _pattern(bp["words"]).pattern
    # Symptoms may be typed "fever, chills", "chest really hurts", "胸口很痛"; cue words must be exact,
    # and not over a comma: "had a seizure, meds changed" is no "seizure meds".
    strong = raw["intensifiers"]
    plain_style = _Style(
        en_gap=rf"[\s/&+]+(?:(?:{_either(strong['en'])})\s+)?",
        zh_gap=rf"\s*(?:(?:{_either(strong['zh'])})\s*)?",
        en_far=r"(?:\s+[a-z0-9]+){0,2}\s+",
        zh_far=r"[^,.;:!?，。；：！？]{0,3}?",
    )
    intensifiers = _pattern([*strong["en"], *strong["zh"]])
    # Between the parts of a phrase with "…": a few words or characters of the same clause, no negation.
    en_negation = sorted({_plain(w) for w in neg["en"]})
    zh_negation = "".join(sorted({w[0] for w in neg["zh"]}))
    homophones, words, not_slips = _homophones()
    symptom_style = _Style(
        inflect=True,
        en_gap=rf"[\s,/&+{_MARK}]+",
        zh_gap=rf"[\s{_MARK}]*",
        en_far=rf"(?:\s+(?!(?:{_either(en_negation)})(?![a-z0-9]))[a-z0-9{_MARK}]+){{0,6}}\s+",
        zh_far=rf"[^,.;:!?，。；：！？{zh_negation}]{{0,12}}?",
        en_farther=rf"(?:[\s,;:]+(?!(?:{_either(en_negation)})(?![a-z0-9]))[a-z0-9{_MARK}]+){{0,10}}[\s,;:]+",
        zh_farther=rf"[^.!?。！？{zh_negation}]{{0,24}}?",
        homophones=homophones,
        words=words,
        not_slips=not_slips,
        intensifiers=intensifiers,
        leads="".join(_plain(c) for c in raw["slip_leads"]),
    )
    slips = {_plain(k): _plain(v) for k, v in raw["real_word_slips"].items()}

    # For the groups of over_sentences, "……" reaches over the end of a sentence as well.
    over_sentences = dataclasses.replace(
        symptom_style,
        en_farther=rf"(?:[\s,;:.!?]+(?!(?:{_either(en_negation)})(?![a-z0-9]))[a-z0-9{_MARK}]+){{0,10}}[\s,;:.!?]+",
        zh_farther=rf"[^{zh_negation}]{{0,24}}?",
    )

    def symptoms(phrases: Iterable[str], style: _Style = symptom_style) -> _Phrases:
        return _Phrases.of(_with_slips(phrases, slips), style)

    reaching = set(raw.get("over_sentences") or ())

    english = [
        *(p for group in raw["categories"].values() for p in group),
        *raw["self_harm"],
        *temp["words"],
        *bp["words"],
    ]
    vocabulary = _Vocabulary.of(w for p in english for w in _GAPS.sub(" ", _plain(p)).split())
    after = _pattern(neg["after"]).pattern
    run_words = _pattern([*neg["list_words"], "and"]).pattern
    return _Lexicon(
        intensifiers=intensifiers,
        self_harm=symptoms(raw["self_harm"]),
        groups=tuple(
            (name, symptoms(phrases, over_sentences if name in reaching else symptom_style))
            for name, phrases in raw["categories"].items()
        ),
        vocabulary=vocabulary,
        slang={_plain(k): _plain(v) for k, v in raw["slang"].items()},
        slang_words=_pattern(raw["slang"]),
        not_red_flags=_pattern(raw["not_red_flags"], plain_style),
        temperature=(
            temp["category"],
            # "fever 39.5", "体温40度", a number with its unit right before: "a 40 degree fever",
            # or a reading with a decimal point right before shivering: "102.9 and chills"
            (
                re.compile(rf"(?:{temp_words}){gap}{number}\s*{unit}?{_NOT_A_READING}"),
                re.compile(rf"{number}\s*{unit}\s*(?:{temp_words})"),
                re.compile(rf"(?<![\d.])(\d{{2,3}}\.\d)\s*{unit}?{gap}(?:{shivering})"),
                # "I've had 40 degrees since last night": a reading had, with its unit
                re.compile(rf"(?:had|got|running|spiked(?:\s+to)?)\s+(?:a\s+)?{number}\s*{unit}(?![a-z]*\s+outside)"),
                # "40 degrees and chills": a whole number needs its unit
                re.compile(rf"(?<![\d.])(\d{{2,3}})\s*{unit}{gap}(?:{shivering})"),
                # "发烧38度9": 38.9 as people in China say it
                re.compile(rf"(?:{temp_words}){gap}(?<!\d)(\d{{2}})\s*(度)\s*(\d)(?![\d度])"),
            ),
            {"c": float(temp["celsius"]), "f": float(temp["fahrenheit"])},
        ),
        shivering=(
            re.compile(rf"(?:{shivering})"),
            {"c": float(temp["with_shivering"]["celsius"]), "f": float(temp["with_shivering"]["fahrenheit"])},
        ),
        pressure=(
            bp["category"],
            (
                re.compile(rf"(?:{bp_words}){gap}(\d{{2,3}})(?:\s*(?:/|over|／|\\)\s*(\d{{2,3}}))?{_NOT_A_READING}"),
                # A reading on its own, "200/120": nothing else people type here looks like that.
                re.compile(r"(?<![\d/])(?<!\d\.)(\d{2,3})\s*[/／]\s*(\d{2,3})(?![\d/]|\.\d)"),
            ),
            int(bp["systolic"]),
            int(bp["diastolic"]),
        ),
        urine=_urine(urine),
        negation=_pattern(neg["en"]),
        # What may stand between an English negation and its symptom: "had any", "trouble with",
        # or items of a list ending in "or": "never any trouble with breathing or chest pain".
        between=re.compile(
            rf"\s*(?:(?:{_pattern(neg['en_between']).pattern})\s+|(?:[a-z0-9]+\s+){{1,3}}(?:or|nor)\s+)*"
        ),
        inverted=_pattern(neg["inverted"]),
        window=int(neg["window"]),
        clause_break=_pattern(neg["clause_breaks"]),
        subject_break=_pattern(neg["subject_words"]),
        not_negating=_pattern(neg["not_negating"]),
        undone_after=_pattern(neg["undone_after"]),
        zh_negation=re.compile(rf"(?:{_either(neg['zh'])})\s*(?:(?:{_either(neg['zh_between'])})\s*){{0,2}}$"),
        zh_not_negating=tuple(neg["zh_not_negating"]),
        list_gap=re.compile(rf"\s*(?:(?:{_pattern(neg['list_words']).pattern})\s*)?"),
        run_gap=re.compile(rf"[\s,，]*(?:(?:{run_words})[\s,，]*)?"),
        negated_after=re.compile(
            rf"\s*(?:(?:{_pattern(neg['after_lead']).pattern})\s*)*(?:{after})(?:\s*[,，]\s*(?:{after}))*\s*(?:[.!;,。！；，]|$)"
        ),
        hypothetical=_Hypothetical(
            conditional=_pattern(hypo["if"]),
            not_conditional=_pattern(hypo["not_if"]),
            now=_pattern(hypo["now"]),
            subjects=_pattern(hypo["subjects"]),
            happening=_pattern(hypo["happening"]),
            cause=_pattern(hypo["cause"]),
            cause_after=_pattern(hypo["cause_after"]),
            asks=_pattern(hypo["asks"]),
            happened=_pattern(hypo["happened"]),
            zh_conditional=_pattern(hypo["zh_if"]),
            zh_then=_pattern(hypo["zh_then"]),
            zh_cause=_pattern(hypo["zh_cause"]),
            zh_cause_after=_pattern(hypo["zh_cause_after"]),
            zh_asks=_pattern(hypo["zh_asks"]),
            zh_asks_end=tuple(hypo["zh_asks_end"]),
            zh_now=tuple(hypo["zh_now"]),
            zh_if_after=re.compile(
                rf"[^\s{_MARK}]{{0,3}}?(?:{_either(map(_plain, hypo['zh_if_after']))})"
                rf"(?=\s*$|\s*(?:{_either(map(_plain, hypo['zh_if_after_then']))}))"
            ),
        ),
        exertion=_exertion(effort, symptom_style, raw["categories"]),
        denial=_denial(denial, symptom_style),
        past=_pattern(history["past"]),
        now=_pattern(history["now"]),
        told_past=_pattern(history["told_past"]),
        over=_pattern(history["over"]),
        others=_pattern(history["others"]),
        others_past=_pattern(history["others_past"]),
        first_person=_pattern(history["first_person_after"]),
        long_over=_pattern(history["long_over"]),
        recent=_pattern(history["recent"]),
        happening=_pattern(history["happening"]),
    )


def _urine(raw: Mapping[str, Any]) -> _Urine:
    output = _pattern(raw["words"]).pattern
    urine = _pattern(raw["urine"], _Style(inflect=True)).pattern
    # Right after the number ("250ml"); a Latin unit ends its word ("250mls" is none), a Chinese one need
    # not ("一百五十毫升I am 45").
    units = _either(map(_plain, raw["units"]))
    number = r"(?<![\d.])(?P<amount>\d{1,5}(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    amount = rf"{number}\s*(?:{units})(?!(?<=[a-z])[a-z])"
    gap = r"[^\d,.;:!?，。；：！？]{0,15}?"  # a few words, no clause break or other number
    return _Urine(
        category=str(raw["category"]),
        below=float(raw["below"]),
        readings=(
            re.compile(rf"(?P<word>{output}|{urine}){gap}{amount}"),
            re.compile(rf"{amount}\s*(?:of\s+)?(?P<word>{urine})"),
        ),
        output=re.compile(output),
        fewer=re.compile(r"(?:不到|少于|低于|不足|less\s+than|under|below|fewer\s+than)\s*(?:about\s+|大约|约)?$"),
        daily=_pattern(raw["daily"]),
        per_void=_pattern(raw["per_void"]),
    )


def _exertion(raw: Mapping[str, Any], style: _Style, categories: Mapping[str, Sequence[str]]) -> _Exertion:
    when, effort = _pattern(raw["when"]).pattern, _pattern(raw["en"], _Style(inflect=True)).pattern
    # A few words between, but not "even" or a negation: "breathless even when I'm not exercising".
    gap = r"(?:(?!(?:even|not|dont|cant|cannot|never|no|without)(?![a-z]))[a-z]+\s+)"
    effort = rf"(?:{effort})(?!\s+out(?![a-z]))"  # "if I run out of my inhaler" is no effort
    zh_when = _either(map(_plain, raw["zh_when"]))
    symptoms = {_plain(p) for p in raw["symptoms"]}
    return _Exertion(
        groups=frozenset(name for name, phrases in categories.items() if symptoms & {_plain(p) for p in phrases}),
        symptoms=_Phrases.of(raw["symptoms"], style),
        en_after=re.compile(rf"\s+{gap}{{0,2}}(?:{when})\s+{gap}{{0,3}}{effort}"),
        en_before=re.compile(rf"(?:{when})\s+{gap}{{0,3}}{effort}(?:\s+{gap}{{0,4}})?\s*$"),
        zh_before=re.compile(
            rf"(?:{_either(map(_plain, raw['zh']))})\s*(?:{zh_when})[^\s不没无未也连都即使就算哪怕]{{0,4}}$"
        ),
    )


def _denial(raw: Mapping[str, Any], style: _Style) -> _Denial:
    def words(key: str) -> str:
        return _pattern(raw[key]).pattern

    def chinese(key: str) -> str:
        return _either({_plain(w) for w in raw[key]})

    return _Denial(
        phrases=_Phrases.of(raw["phrases"], style),
        en_before=re.compile(
            rf"\s*(?:(?:{words('lead')})\s+)*(?:{words('en')})\s+(?:(?:{words('en_between')})\s+){{0,3}}"
        ),
        en_after=re.compile(rf"(?:\s*(?:{words('en_after')}))*[\s)\]\"'~]*"),
        zh_before=re.compile(
            rf"\s*(?:{chinese('zh_lead')})?(?:{chinese('zh')})\s*(?:{chinese('zh_between')}){{0,2}}\s*"
        ),
        zh_after=re.compile(rf"\s*(?:{chinese('zh_after')})*[\s)）\]~]*"),
    )


@lru_cache(maxsize=8192)
def _meant(word: str) -> str | None:
    """The red-flag word ``word`` is a slip of (the same words come back message after message)."""
    return _lexicon().vocabulary.meant(word)


def _respelled(text: str, lex: _Lexicon) -> str:
    """Texting short forms written out ("kms") and slips of red-flag words respelled ("chset")."""
    text = lex.slang_words.sub(
        lambda m: m.group() if _AFTER_NUMBER.search(text, 0, m.start()) else lex.slang[m.group()], text
    )
    pieces, last = [], 0
    for match in _WORD.finditer(text):
        meant = _meant(match.group()) if match.end() - match.start() >= MIN_LENGTH else None
        if meant:
            pieces += [text[last : match.start()], meant]
            last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def _clause(text: str, start: int, end: int, lex: _Lexicon) -> tuple[str, str]:
    """The parts of the clause holding ``text[start:end]`` before and after it."""
    before = lex.clause_break.split(text[:start])[-1]
    after = lex.clause_break.split(text[end:])[0]
    return before, after


def _negated(text: str, start: int, end: int, lex: _Lexicon) -> bool:
    """Whether a negation before the symptom at ``text[start:end]`` governs it ("no chest pain", "没有胸痛")."""
    if _CJK.match(text, start):
        # Only right before the symptom: "我不舒服,胸痛" and "不停抽搐" are red flags.
        found = lex.zh_negation.search(text[:start].rstrip())
        if found is None or found.group().startswith(lex.zh_not_negating):
            return False
        # A space for a comma after a bare 没有 that answers the question, before a symptom told as
        # happening ("没有 头突然痛得要炸了"): not "没有 胸痛".
        spaced = text[:start] != text[:start].rstrip()
        return not (spaced and lex.happening.search(text[start : end + 12]))
    before, after = _clause(text, start, end, lex)
    before = lex.inverted.sub(" never ", before)  # "not once have I fainted"
    before = lex.subject_break.split(before)[-1]  # "no I have chest pain": the "no" answers something else
    words = " ".join(lex.not_negating.sub(" ", before).split()[-lex.window :]) + " "
    governs = any(lex.between.fullmatch(words, m.end()) for m in lex.negation.finditer(words))
    return governs and not lex.undone_after.search(after)


def _negations(text: str, spans: Sequence[re.Match[str]], lex: _Lexicon) -> list[bool]:
    """For each symptom found (in order), whether it is negated: by a negation before it, as the
    next item of a negated list ("没有胸闷气短"), or by a negation closing the sentence after it or
    after the list it ends ("抽搐、晕倒这些都没有", "chest pain? no, never had that")."""
    negated, negated_end = [], -1
    for m in spans:
        # Inside a negated one ("no high fever 39"), or next in its list.
        listed = m.start() < negated_end or (negated_end >= 0 and lex.list_gap.fullmatch(text, negated_end, m.start()))
        negated.append(bool(listed) or _negated(text, m.start(), m.end(), lex))
        if negated[-1]:
            negated_end = max(negated_end, m.end())
    first = 0
    while first < len(spans):
        last, end = first, spans[first].end()
        while last + 1 < len(spans) and (
            spans[last + 1].start() <= end or lex.run_gap.fullmatch(text, end, spans[last + 1].start())
        ):
            last += 1
            end = max(end, spans[last].end())
        if lex.negated_after.match(text, end):
            negated[first : last + 1] = [True] * (last + 1 - first)
        first = last + 1
    return negated


def _sentence_start(text: str, start: int) -> int:
    """Where the sentence holding ``text[start]`` begins."""
    return max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """The sentence holding ``text[start:end]``, and the mark that ends it ("" at the end of the text)."""
    opening = _sentence_start(text, start)
    closing = _SENTENCE_END.search(text, end)
    return text[opening : closing.start() if closing else len(text)], closing.group() if closing else ""


def _hypothetical(text: str, start: int, end: int, lex: _Lexicon) -> bool:
    """A symptom in a condition or a question about what may happen: "what if I get chest pain?",
    "can the stem cells cause a stroke?", 如果胸痛了怎么办, 会不会中风."""
    hypo = lex.hypothetical
    before, after = _clause(text, start, end, lex)
    if hypo.happening.search(before) or hypo.happening.search(after):
        return False  # "if I have chest pain now"
    sentence, mark = _sentence(text, start, end)
    if _CJK.match(text, start):
        condition = list(hypo.zh_conditional.finditer(before))
        if condition and condition[-1].end() == len(before.rstrip()):
            return True  # 如果胸痛, 要是中风了
        if before.rstrip().endswith(hypo.zh_now):
            return False  # 会不会是心梗, 如果是中风: about now
        if condition and not hypo.zh_then.search(before, condition[-1].end()):
            return True
        if hypo.zh_if_after.match(after):
            return True  # 尿少的话怎么办
        asks = mark == "？" or mark == "?" or sentence.rstrip().endswith(hypo.zh_asks_end)
        asks = asks or hypo.zh_asks.search(sentence) is not None
        return asks and bool(hypo.zh_cause.search(before) or hypo.zh_cause_after.search(after))
    condition = list(hypo.conditional.finditer(hypo.not_conditional.sub(" ", before)))
    if condition:
        rest = hypo.not_conditional.sub(" ", before)[condition[-1].end() :].strip()
        if not hypo.now.match(rest) and len(hypo.subjects.findall(rest)) <= 1:
            return True
    asks = mark == "?" or hypo.asks.match(sentence.strip()) is not None
    asks = asks and not hypo.happened.search(before)
    return asks and bool(hypo.cause.search(before) or hypo.cause_after.search(after))


def _dated(text: str) -> bool:
    """A year before this one ("in 2008", "2015年", "18年"), an age ("when I was 12", "12岁的时候"), or a
    month two or more back ("八月份", "in August" said in December)."""
    today = _today()
    years = [int(m.group(1) or m.group(2)) for m in _YEAR.finditer(text)]
    for m in _SHORT_YEAR.finditer(text):  # "20年生孩子": 2020, as people in China write it; "98年": 1998
        short = int(m.group(1))
        years.append(2000 + short if 2000 + short <= today.year else 1900 + short)
    months = [int(numerals(f"{m.group(1)}月").removesuffix("月")) for m in _ZH_MONTH.finditer(text)]
    names = english().months
    months += [names[m.group(1)] for m in re.finditer(_EN_MONTH, text) if m.group(1) in names]
    months_back = any(1 <= month <= 12 and (today.month - month) % 12 >= 2 for month in months)
    return any(year < today.year for year in years) or months_back or _AGE.search(text) is not None


def _history(text: str, start: int, end: int, lex: _Lexicon, overs: Callable[[], list[re.Match[str]]]) -> bool:
    """A symptom from months or years ago (one's own or someone else's), or from weeks or more ago
    and said to be over, that the message does not say is back. ``overs`` gives _overs(text)."""
    before, after = _clause(text, start, end, lex)
    following = lex.clause_break.split(text[end:], maxsplit=2)
    opening = " ".join(following[1].split()[:4]) if len(following) > 1 else ""  # "…, years ago"
    past = any(lex.past.search(part) or _dated(part) for part in (before, after)) or bool(lex.past.search(opening))
    past = past or _over(text, start, end, (before, after), lex, overs) or _dated_before(text, start, end, lex, overs)
    return past and not lex.now.search(_without_over(text, lex, overs()))


def _someone_elses_past(text: str, start: int, lex: _Lexicon) -> bool:
    """Another person's symptom told in the past ("my son had a high fever last week, not me", "是我儿子上周
    高烧"): the sentence up to the symptom opens with another person (after at most a yes or no) whom
    the person does not join, and the message dates it days or more back and says nothing is now."""
    sentence_start = _sentence_start(text, start)
    before = text[sentence_start:start]
    found = lex.others.search(before)
    if not found or lex.first_person.search(before[found.end() :]):
        return False
    opening = lex.clause_break.sub(" ", before[: found.start()]).split()
    if len(opening) > 2:  # "no, it's my son": at most a word or two before the other person
        return False
    dated = lex.others_past.search(text) or lex.past.search(text) or _dated(text)
    return bool(dated) and not lex.now.search(_without_over(text, lex, _overs(text, lex)))


def _dated_before(text: str, start: int, end: int, lex: _Lexicon, overs: Callable[[], list[re.Match[str]]]) -> bool:
    """A time months or years back in a clause before, in the same sentence, and the symptom told as
    done (了 or 过 in its clause, the past tense, nothing from the last days) or said to be over after it:
    "去年流产过一次，出了很多血", "小时候有哮喘，喘得厉害，现在好了"; not "以前有过，胸口痛得厉害", which may be now."""
    opening = _sentence_start(text, start)
    earlier = lex.clause_break.split(text[opening:start])
    if len(earlier) < 2 or not any(lex.past.search(p) or _dated(p) or _since_year(p) for p in earlier[:-1]):
        return False  # "yes, since 2015, found out after I collapsed at work": any clause before
    before, after = _clause(text, start, end, lex)
    clause = f"{before}{text[start:end]}{after}"
    if lex.recent.search(clause):
        return False  # "diagnosed in 2015, yesterday I collapsed"
    told = re.search(r"[了过]", clause) or _PAST_TENSE.search(clause) or lex.told_past.search(clause)
    return bool(told or any(m.start() >= end for m in overs()))


def _over(
    text: str,
    start: int,
    end: int,
    clause: tuple[str, str],
    lex: _Lexicon,
    overs: Callable[[], list[re.Match[str]]],
) -> bool:
    """An episode told in the past, weeks or more back, and said to be over after it: "3 weeks ago,
    I was in hospital with fever and chills, home now and feeling fine", "那时候抽搐过一次，现在稳定了".
    Told in the past: with one of told_past, in the past tense ("my face drooped"), or in a clause
    that says when ("三周前发烧39度还寒战")."""
    before, after = clause
    if any(m.start() >= end and lex.long_over.search(m.group()) for m in overs()):
        return True  # "chest pain with pleurisy flares now and then, but none for months": dated by itself
    told = (
        lex.told_past.search(f"{before} {text[start:end]} {after}")
        or after.startswith("过")
        or _PAST_TENSE.search(text[start:end])
        or any(_WEEKS_AGO.search(part) for part in clause)
    )
    if not told:
        return False
    if not any(m.start() >= end for m in overs()):
        return False
    return bool(lex.past.search(text) or _dated(text) or _since_year(text) or _WEEKS_AGO.search(text))


def _overs(text: str, lex: _Lexicon) -> list[re.Match[str]]:
    """Where ``text`` says an episode is over, unless negated: "not fully recovered", "不稳定了"."""
    found = []
    for m in lex.over.finditer(text):
        before = lex.clause_break.split(text[: m.start()])[-1]
        if _CJK.match(text, m.start()):
            negated = any(c in _ZH_NEGATING for c in before[-3:])
        else:
            negated = lex.negation.search(" ".join(before.split()[-3:])) is not None
        if not negated:
            found.append(m)
    return found


def _since_year(text: str) -> bool:
    this_year = _today().year
    return any(int(m.group(1)) < this_year for m in _SINCE_YEAR.finditer(text))


def _without_over(text: str, lex: _Lexicon, overs: list[re.Match[str]]) -> str:
    """``text`` without what says nothing is happening now ("none since", "since 2014", "fine now":
    ``overs``), nor a time two weeks or more back ("三周前"), where the words that say something is back
    are sought."""
    this_year = _today().year
    for m in reversed(overs):
        text = f"{text[: m.start()]} | {text[m.end() :]}"
    text = _SINCE_YEAR.sub(lambda m: " | " if int(m.group(1)) < this_year else m.group(), text)
    return _WEEKS_AGO.sub(" | ", text)


def _on_effort(text: str, found: re.Match[str], lex: _Lexicon) -> bool:
    """Breathlessness only on effort: "I only get short of breath if I run for the bus", "一跑步就气短"."""
    effort = lex.exertion
    if not effort.symptoms.holds(found):
        return False
    before, after = _clause(text, found.start(), found.end(), lex)
    hypo = lex.hypothetical
    if hypo.happening.search(before) or hypo.happening.search(after):
        return False  # "I'm short of breath now after running for the bus"
    if _CJK.match(text, found.start()):
        return effort.zh_before.search(before) is not None
    return effort.en_after.match(after) is not None or effort.en_before.search(before) is not None


def _denied(text: str, found: re.Match[str], lex: _Lexicon) -> bool:
    """A plain denial of suicide itself ("I'm not suicidal", "没有自杀的念头"); every other self-harm
    wording, and a hedged or partial denial ("not suicidal yet", "没有自杀的勇气"), stays a crisis."""
    denial = lex.denial
    if not denial.phrases.holds(found):
        return False
    before, after = _clause(text, found.start(), found.end(), lex)
    if _CJK.match(text, found.start()):
        return bool(denial.zh_before.fullmatch(before) and denial.zh_after.fullmatch(after))
    return bool(denial.en_before.fullmatch(" ".join(before.split()) + " ") and denial.en_after.fullmatch(after))


def _shivering(text: str, reading: re.Match[str], chills: re.Pattern[str], lex: _Lexicon) -> bool:
    """Shaking chills said in the sentence of a fever reading, not denied ("38.6, no chills"): 38.5 °C is
    then the line (domain reference, red flags: 高烧寒战, especially on immunosuppressants)."""
    opening = _sentence_start(text, reading.start())
    closing = _SENTENCE_END.search(text, reading.end())
    found = chills.finditer(text, opening, closing.start() if closing else len(text))
    return any(not _negated(text, m.start(), m.end(), lex) for m in found)


def _measurements(text: str, lex: _Lexicon) -> Iterable[tuple[str, re.Match[str]]]:
    """A fever of 39 °C / 102 °F or more, a blood pressure of 180 systolic or 110 diastolic or more, a
    day's urine under 400 mL."""
    category, patterns, threshold = lex.temperature
    chills, lower = lex.shivering
    for match in (m for pattern in patterns for m in pattern.finditer(text)):
        tenth = match.group(3) if match.re.groups >= 3 else None
        degrees, unit = float(match.group(1)) + (int(tenth) / 10 if tenth else 0), match.group(2) or ""
        scale = "f" if "f" in unit or (not unit and degrees > 50) else "c"  # no unit: °C below 50
        line = lower[scale] if _shivering(text, match, chills, lex) else threshold[scale]
        if line <= degrees < _PLAUSIBLE[scale]:
            yield category, match
    category, patterns, systolic, diastolic = lex.pressure
    for match in (m for pattern in patterns for m in pattern.finditer(text)):
        high, low = int(match.group(1)), int(match.group(2) or 0)
        if (high >= systolic or low >= diastolic) and high > low:  # systolic first
            yield category, match
    yield from _little_urine(text, lex)


def _little_urine(text: str, lex: _Lexicon) -> Iterable[tuple[str, re.Match[str]]]:
    """A day's urine under the line: "尿量才三百毫升", "I only pee about 300 ml a day"."""
    urine = lex.urine
    for match in (m for pattern in urine.readings for m in pattern.finditer(text)):
        amount = _millilitres(match.group("amount"))
        fewer = urine.fewer.search(text, 0, match.start("amount")) is not None
        if amount is None or amount > urine.below or (amount == urine.below and not fewer):
            continue
        before, after = _clause(text, match.start(), match.end(), lex)
        if urine.per_void.search(before) or urine.per_void.search(after):
            continue  # one trip to the toilet
        sentence, _ = _sentence(text, match.start(), match.end())
        if urine.output.fullmatch(match.group("word")) or urine.daily.search(sentence):
            yield urine.category, match


def _millilitres(number: str) -> float | None:
    """An amount in digits or Chinese numerals (三百, 两百五)."""
    digits = number if number[0].isdigit() else numerals(f"{number}毫升").removesuffix("毫升")
    try:
        return float(digits)
    except ValueError:
        return None  # no number cn2an reads: 十千


@dataclass(frozen=True)
class Reading:
    """What the keyword layer made of a message: the red flag, if any, and whether it saw red-flag
    words it ruled out (negated, a question or "what if", long past, or an ordinary phrase such
    as "stroke risk")."""

    flag: RedFlag | None
    ruled_out: bool = False
    # Told as history as a whole ("小时候抽血晕过一回", "fainted once years ago"), nothing said to be now.
    told_as_history: bool = False


def read_red_flags(text: str) -> Reading:
    """The most urgent red flag in ``text`` (self-harm first, then the first group in the lexicon's
    order), and whether red-flag words were seen and ruled out."""
    lex = _lexicon()
    plain = _plain(text)
    latin, cjk = _LATIN.search(plain) is not None, _CJK.search(plain) is not None
    if latin:
        plain = _respelled(plain, lex)
    clean = lex.not_red_flags.sub(" | ", plain)
    masked = lex.intensifiers.sub(lambda m: _MARK * len(m.group()), clean)  # the same places as clean
    # A plain denial ("I'm not suicidal") is no crisis here, but rules nothing out: a crisis guess of
    # the classifier stands, unconfirmed ("I'm not suicidal, I just don't see the point any more").
    for m in lex.self_harm.finditer(masked, latin, cjk):
        if not _denied(clean, m, lex):
            return Reading(RedFlag(SELF_HARM))
    matches = [(name, m) for name, phrases in lex.groups for m in phrases.finditer(masked, latin, cjk)]
    matches += _measurements(clean, lex)
    matches.sort(key=lambda nm: nm[1].start())
    found, ruled_out = [], clean != plain
    negated = _negations(clean, [m for _, m in matches], lex)
    said: list[list[re.Match[str]]] = []

    def overs() -> list[re.Match[str]]:  # looked for once, if needed
        if not said:
            said.append(_overs(clean, lex))
        return said[0]

    theirs = False  # someone else's, told in the past: history too, for the classifier's guess
    for (name, m), dismissed in zip(matches, negated, strict=True):
        if (
            dismissed
            or _hypothetical(clean, m.start(), m.end(), lex)
            or _history(clean, m.start(), m.end(), lex, overs)
            or (name in lex.exertion.groups and _on_effort(clean, m, lex))
        ):
            ruled_out = True
        elif _someone_elses_past(clean, m.start(), lex):
            ruled_out = theirs = True
        else:
            found.append(name)
    order = [name for name, _ in lex.groups]
    if found:
        return Reading(RedFlag(min(found, key=order.index)))
    history = theirs or (bool(lex.past.search(clean) or _dated(clean)) and not lex.now.search(clean))
    return Reading(None, ruled_out, history)


def find_red_flag(text: str) -> RedFlag | None:
    """The most urgent red flag in ``text``, or None."""
    return read_red_flags(text).flag


def evaluate(phrases: Mapping[str, Any]) -> dict[str, Any]:
    """Recall and false-alarm rate over a phrase set such as tests/data/red_flag_phrases.yml.

    ``phrases`` holds ``positives: {language: {category: [text, ...]}}`` and
    ``negatives: {language: [text, ...]}``. A positive counts as caught when it gets the
    right message (crisis for self_harm, emergency otherwise); a caught one in another
    emergency group is listed under ``wrong_category``.
    """
    positives = [(t, c) for by_category in phrases["positives"].values() for c, ts in by_category.items() for t in ts]
    negatives = [t for texts in phrases["negatives"].values() for t in texts]
    missed, wrong = [], []
    for text, category in positives:
        flag = find_red_flag(text)
        if flag is None or flag.is_self_harm != (category == SELF_HARM):
            missed.append(text)
        elif flag.category != category:
            wrong.append(text)
    false_alarms = [t for t in negatives if find_red_flag(t) is not None]
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "recall": 1 - len(missed) / max(len(positives), 1),
        "false_alarm_rate": len(false_alarms) / max(len(negatives), 1),
        "missed": missed,
        "wrong_category": wrong,
        "false_alarms": false_alarms,
    }
