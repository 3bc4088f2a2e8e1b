"""Every message the bot can send, in each language: plain by the rule of bot/plain_language.py (grade 8
or lower in English; short sentences of common characters in Chinese), and none of the words it must
never say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from bot.plain_language import grade, problems
from bot.session import messages
from bot.session.screening import Screening
from bot.trial.model import Trial, load_trial

TRIALS = {"en": load_trial(), "zh": load_trial(None, "zh")}
TRIAL = TRIALS["en"]
TODAY = date(2026, 11, 25)


SAMPLE = {
    "short_name": TRIAL.info["short_name"],
    "registry_id": TRIAL.registry_id,
    "retention_days": str(TRIAL.retention_days),
    "site": TRIAL.info["site"]["name"],
    "contacts": "Dr Jun Liang",
    "reference": "S-ABCDEFGH23",
    "number": "4",
    "total": "18",
    "topic": "your age",
    "medicine": "rituximab",
    "condition": "breast cancer",
    "vaccine": "MMR",
    "answer": "yes",
    "name": "Medicines and treatments",
    "count": "2",
    "items": "lymphoma (cancer of the lymph glands)",
    "times": "8:00–11:30, 14:00–17:00",
    "phone": "+8613812345678",
    "time": "Morning",
}
SAMPLES = {
    "en": SAMPLE,
    "zh": {
        **SAMPLE,
        "short_name": TRIALS["zh"].info["short_name"],
        "site": TRIALS["zh"].info["site"]["name"],
        "contacts": "Jun Liang 医生",
        "topic": "您的年龄",
        "medicine": "利妥昔单抗",
        "condition": "乳腺癌",
        "vaccine": "麻腮风疫苗",
        "answer": "是",
        "name": "药物和治疗",
        "items": "淋巴瘤",
        "times": "8:00–11:30、14:00–17:00",
        "time": "上午",
    },
}
# A screening's answers per outcome, in each language.
SCREENS = {
    "en": {
        "may_fit": ["34", "yes", "yes", "1.8 g/g", "no", "no", "none", "no"] + ["no"] * 10 + ["yes"],
        "needs_team": ["18", "not sure", "yes", "110 mg/mmol", "no", "yes", "not sure", "yes", "no", "none", "no"]
        + ["no"] * 9
        + ["yes"],
        "likely_not": ["70"],
    },
    "zh": {
        "may_fit": ["34岁", "是", "是", "尿蛋白肌酐比1.8克每克", "没有", "没有", "没有", "没有"]
        + ["没有"] * 10
        + ["愿意"],
        "needs_team": ["18", "不确定", "是", "110毫克每毫摩尔", "没有", "是", "不清楚", "是", "没有", "没有", "没有"]
        + ["没有"] * 9
        + ["愿意"],
        "likely_not": ["70岁"],
    },
}


def atomic_texts(trial: Trial) -> Iterator[tuple[str, str]]:
    sample = SAMPLES[trial.language]
    for q in [*trial.questions.values(), *trial.follow_ups.values()]:
        rendered = q.render(medicine=sample["medicine"], vaccine=sample["vaccine"])
        yield from ((f"{q.id}.text", rendered.text), (f"{q.id}.retry", rendered.retry), (f"{q.id}.why", rendered.why))
        if rendered.confirm:
            yield f"{q.id}.confirm", rendered.confirm
    for c in trial.criteria:
        yield f"{c.id}.summary", c.summary
        for key, text in c.reasons.items():
            yield f"{c.id}.{key}", text.format(**sample)
    for group in ("outcomes", "common_reasons", "texts", "faq"):
        for key, text in getattr(trial, group).items():
            yield f"{group}.{key}", text.format(**sample)


def sent_messages(trial: Trial) -> Iterator[tuple[str, str]]:
    """Whole messages as sent in a few screenings (questions with progress, results, closings)."""
    yield from ((f"intro.{i}", m["text"]) for i, m in enumerate(messages.intro(trial)))
    for name, answers in SCREENS[trial.language].items():
        screening = Screening(trial)
        for text in answers:
            qid = screening.current_question_id()
            if qid is None:
                break
            yield f"{name}.{qid}", messages.question(screening, qid)["text"]
            screening.answer(text, TODAY)
        for i, m in enumerate(messages.recap(screening)):
            yield f"{name}.recap.{i}", m["text"]
        outcome = screening.result(final=True)
        for i, m in enumerate(messages.result(trial, outcome, "S-ABCDEFGH23", screening.answers, TODAY)):
            yield f"{name}.result.{i}", m["text"]
        yield f"{name}.details", messages.details_text(trial, outcome)["text"]
    yield "callback.offer", messages.callback_offer(trial)["text"]
    for step in ("name", "phone", "time"):
        for retry in (False, True):
            yield f"callback.{step}.{retry}", messages.callback_question(trial, step, retry)["text"]


ALL = [
    (f"{lang}:{where}", lang, text)
    for lang, trial in TRIALS.items()
    for where, text in [*atomic_texts(trial), *sent_messages(trial)]
]


@pytest.mark.parametrize(("where", "language", "text"), ALL, ids=[w for w, _, _ in ALL])
def test_every_text_is_plain(where: str, language: str, text: str) -> None:
    assert problems(text, language) == [], f"{where}: {text}"


def test_the_outcomes_of_each_screen_are_reached_in_each_language() -> None:
    """The sample screens really end as named: otherwise the messages measured are not those people get."""
    for lang, trial in TRIALS.items():
        for name in SCREENS[lang]:
            assert any(w == f"{lang}:{name}.result.0" and trial.outcomes[name] in t for w, _, t in ALL), (lang, name)


FORBIDDEN = [
    r"\byou(?: are|'re| will be)? (?:eligible|qualif(?:y|ied))\b",
    r"(?<!\bif )(?<!whether )(?<!says )\byou can (?:definitely )?join\b",
    r"\bfree (?:treatment|medicine|care|of charge)\b",
    r"\bguarantee",
    r"\b(?:will|can|could|may) (?:cure|heal)\b|\ba cure\b",
    r"\b(?:stop|start|skip|delay|increase|reduce|lower|raise) (?:taking|your)\b",
    r"\bwill (?:help|heal|fix) you\b",
    r"Jennifer Cobb|NIAID",
    # The same promises and orders in Chinese.
    r"(?<!说)您(?:已经|完全|一定|肯定)?(?:符合参加条件|有资格|能参加|可以参加)",  # "如果研究团队说您可以参加" asks
    r"(?<!能)(?<!不)保证|免费(?:治疗|用药|看病)|(?:能|会|可以)(?:治愈|根治|治好)",
    r"请(?:您)?(?:停用|停掉|停止服用|开始服用|加大|减少|减量|加量)",
]


@pytest.mark.parametrize(("where", "language", "text"), ALL, ids=[w for w, _, _ in ALL])
def test_no_forbidden_wording(where: str, language: str, text: str) -> None:
    for pattern in FORBIDDEN:
        assert not re.search(pattern, text, re.IGNORECASE), f"{where} says {pattern!r}: {text}"


def test_the_wording_checks_can_fail() -> None:
    assert grade("Notwithstanding considerable immunological heterogeneity, randomisation ensures comparability.") > 8
    assert problems(
        "Notwithstanding considerable immunological heterogeneity, randomisation ensures comparability.", "en"
    )
    assert problems("受试者须签署知情同意书并遵循妊娠检测及避孕措施之规定", "zh")  # rare characters
    assert problems("这是一个非常非常长的句子它一直说下去没有停下来的地方所以读的人会觉得很累也很难明白", "zh")
    assert problems("请问您今年多少岁？", "zh") == []
    assert problems("您在吃吗替麦考酚酯、羟氯喹吗？", "zh") == []  # medicine names are not counted
    for text in (
        "Good news, you are eligible!",
        "Please stop taking your tacrolimus.",
        "您符合参加条件！",
        "请停用他克莫司。",
    ):
        assert any(re.search(p, text, re.IGNORECASE) for p in FORBIDDEN), text
