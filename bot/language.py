"""The language of a conversation: a value decided per message and kept in the conversation.

    >>> language_of("中文", current="en", languages=("en", "zh"))
    'zh'
    >>> language_of("ok", current=None, languages=("en", "zh"), asked="zh")
    'zh'
    >>> language_of("我不知道", current="en", languages=("en", "zh"))
    'zh'
    >>> language_of("I take 美罗华", current="en", languages=("en", "zh"))
    'en'

A message that is only a language's name chooses it. Otherwise a message written mostly in Chinese
characters is Chinese. Otherwise the conversation keeps its language; a new one takes the language
its channel asks for (the widget's ``data-lang``), else the trial's own. No statistical guess:
"yes", "ok" or "1" says nothing about a language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot import PROJECT_ROOT
from bot.yamlfile import load_yaml

LANGUAGES_FILE = PROJECT_ROOT / "lexicon" / "languages.yml"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_PLEASE = re.compile(r"\b(?:please|pls)\b|请|吧|谢谢|好吗")


@dataclass(frozen=True)
class Writing:
    """How a language writes what the code joins: lists and sentences."""

    list_separator: str
    sentence_separator: str
    label_separator: str


@cache
def _languages() -> dict[str, dict[str, object]]:
    return dict(load_yaml(LANGUAGES_FILE)["languages"])


def sms_keyword(text: str) -> tuple[str, str] | None:
    """What an SMS keyword asks ("stop", "start", "yes", "help") and its language, when the whole
    message is one (any case), else None: "STOP" is ("stop", "en"), "退订" is ("stop", "zh")."""
    return _sms_keywords().get(text.strip().upper())


@cache
def _sms_keywords() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for language, spec in _languages().items():
        for kind, words in dict(spec.get("sms_keywords") or {}).items():  # type: ignore[call-overload]
            found.update({str(word).upper(): (str(kind), language) for word in words})
    return found


def writing(language: str) -> Writing:
    spec = _languages()[language]
    return Writing(str(spec["list_separator"]), str(spec["sentence_separator"]), str(spec["label_separator"]))


@cache
def _names() -> dict[str, str]:
    return {str(name).lower(): lang for lang, spec in _languages().items() for name in spec["names"]}  # type: ignore[attr-defined]


def named_language(text: str) -> str | None:
    """The language a message chooses by name ("中文", "English please"), or None."""
    bare = " ".join(_EDGES.sub("", _PLEASE.sub(" ", text.lower())).split())
    return _names().get(bare)


def mentioned_language(text: str) -> str | None:
    """The one language a message names anywhere ("can we do this in Chinese?"), or None."""
    low = text.lower()
    found = {lang for name, lang in _names().items() if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", low)}
    return found.pop() if len(found) == 1 else None


def mostly_chinese(text: str) -> bool:
    # A Chinese word is about two characters: "我在吃MMF" is Chinese, "I take 美罗华" is not.
    return len(_CJK.findall(text)) >= max(1, 2 * len(_LATIN_WORD.findall(text)))


def language_of(text: str, current: str | None, languages: tuple[str, ...], asked: str | None = None) -> str:
    """The conversation's language after ``text``: ``languages`` are the trial's, its own first."""
    named = named_language(text)
    if named in languages:
        return str(named)
    if "zh" in languages and mostly_chinese(text):
        return "zh"
    if current in languages:
        return str(current)
    return asked if asked in languages else languages[0]
