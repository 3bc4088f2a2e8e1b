"""A trial's texts in each of its languages: the same keys and placeholders, or the trial is refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.trial.model import TrialFileError, load_trial, translations, trial_file
from bot.trial.texts import placeholders, text_leaves
from bot.yamlfile import load_yaml

BASE = trial_file()
RAW = load_yaml(BASE)
KEYS = list(text_leaves(RAW))


def copy_with(tmp_path: Path, texts: dict[str, str], language: str = "zh") -> Path:
    """The trial file beside a translation made of ``texts``."""
    path = tmp_path / BASE.name
    shutil.copy(BASE, path)
    (tmp_path / f"{BASE.stem}.{language}.yml").write_text(
        yaml.safe_dump({"language": language, "texts": texts}, allow_unicode=True), encoding="utf-8"
    )
    return path


def marked(key: str, text: str) -> str:
    return f"«{key}» {text}"  # a stand-in translation that keeps every placeholder


def test_the_trial_has_every_text_in_chinese_too() -> None:
    assert set(translations(BASE)) == {"zh"}
    zh = load_trial(BASE, "zh")  # loading checks the keys and placeholders against the English
    assert zh.language == "zh" and zh.languages == ("en", "zh")
    texts = load_yaml(translations(BASE)["zh"])["texts"]
    for key, english in text_leaves(RAW).items():
        words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", english))
        if words:  # a text, not a unit or a number: it is in Chinese
            assert re.search(r"[\u4e00-\u9fff]", texts[key]), key


def test_a_translation_replaces_every_text_and_no_rule(tmp_path: Path) -> None:
    path = copy_with(tmp_path, {k: marked(k, v) for k, v in text_leaves(RAW).items()})
    en, other = load_trial(path), load_trial(path, "zh")
    assert other.questions["age"].text.startswith("«questions.age.text»")
    assert other.texts["consent_question"].startswith("«texts.consent_question»")
    assert [c.rule for c in other.criteria] == [c.rule for c in en.criteria]
    assert [q.id for q in other.questions.values()] == [q.id for q in en.questions.values()]
    assert load_trial(path, "en").questions["age"].text == en.questions["age"].text


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(KEYS))
def test_a_text_missing_in_one_language_refuses_the_trial(key: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        texts = {k: marked(k, v) for k, v in text_leaves(RAW).items() if k != key}
        path = copy_with(Path(tmp), texts)
        for language in (None, "en", "zh"):
            with pytest.raises(TrialFileError, match=key.split(".")[-1]):
                load_trial(path, language)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([k for k, v in text_leaves(RAW).items() if placeholders(v)]), st.booleans())
def test_a_text_whose_placeholders_differ_refuses_the_trial(key: str, drop: bool) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        texts = {k: marked(k, v) for k, v in text_leaves(RAW).items()}
        texts[key] = texts[key].replace("{", "(").replace("}", ")") if drop else texts[key] + " {surprise}"
        with pytest.raises(TrialFileError, match="placeholders"):
            load_trial(copy_with(Path(tmp), texts))


def test_an_extra_text_or_a_language_it_lacks_is_refused(tmp_path: Path) -> None:
    texts = {k: marked(k, v) for k, v in text_leaves(RAW).items()}
    with pytest.raises(TrialFileError, match="not in the trial file"):
        load_trial(copy_with(tmp_path, {**texts, "texts.nonsense": "x"}))
    with pytest.raises(TrialFileError, match="no texts in 'fr'"):
        load_trial(BASE, "fr")


def test_a_translation_file_is_no_trial_of_its_own(tmp_path: Path) -> None:
    path = copy_with(tmp_path, {k: marked(k, v) for k, v in text_leaves(RAW).items()})
    assert trial_file(trials=path.parent) == path


def test_the_review_sheet_has_every_text_in_both_languages(tmp_path: Path) -> None:
    import csv

    from tools.texts import rows

    sheet = rows(BASE)
    assert sheet[0] == ["key", "en", "zh"]
    assert [row[0] for row in sheet[1:]] == KEYS
    assert all(row[1] and row[2] for row in sheet[1:])
    out = tmp_path / "texts.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(sheet)
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == sheet  # texts with commas, quotes and newlines survive


# A person who may be a fit, answering in Chinese (by question id; follow-ups by their kind).
ZH_ANSWERS = {
    "age": "三十四岁",
    "lupus_diagnosis": "是的",
    "kidney_involvement": "是",
    "protein_result": "24小时尿蛋白定量1.8克",
    "could_have_children": "是",
    "could_become_pregnant": "是",
    "contraception_agree": "愿意",
    "medicines": "羟氯喹和强的松，还有吗替麦考酚酯",
    "dose": "剂量超过3个月没变",
    "willing": "愿意",
}


def test_a_whole_screen_in_chinese_speaks_chinese_throughout() -> None:
    from datetime import date

    from bot.session import messages
    from bot.session.screening import Screening

    zh = load_trial(BASE, "zh")
    screening, said = Screening(zh), []
    while qid := screening.current_question_id():
        message = messages.question(screening, qid)
        said.append(message["text"])
        screening.answer(ZH_ANSWERS.get(qid, ZH_ANSWERS.get(qid.split(":")[0], "没有")), date(2026, 12, 6))
    recap = messages.recap(screening)
    result = messages.result(zh, screening.result(final=True), "S-TEST", screening.answers, date(2026, 12, 6))
    texts = said + [m["text"] for m in recap] + [m["text"] for m in result]
    for text in texts:
        assert re.search(r"[\u4e00-\u9fff]", text), text
        assert not re.search(r"\b(?:the|you|your|and|or)\b", text, re.IGNORECASE), text
    assert "羟氯喹、" in recap[0]["text"] or "、羟氯喹" in recap[0]["text"], recap[0]["text"]


@pytest.mark.parametrize(
    ("text", "guess", "intent", "language"),
    [
        ("中文", "inform", "choose_language", "zh"),
        ("English please", "greet", "choose_language", "en"),
        ("用英文", "inform", "choose_language", "en"),
        ("can we do this in Chinese?", "choose_language", "choose_language", "zh"),
        ("我在吃MMF", "inform", "inform", "zh"),  # Chinese, and an answer
        ("I take 美罗华", "inform", "inform", None),
        ("ok", "affirm", "affirm", None),
        ("1", "inform", "inform", None),
        ("/affirm", "affirm", "affirm", None),
    ],
)
def test_the_language_component_reads_only_what_a_message_says_of_its_language(
    text: str, guess: str, intent: str, language: str | None
) -> None:
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from rasa_plugins.language import ConversationLanguage

    message = Message(data={TEXT: text})
    message.set(INTENT, {INTENT_NAME_KEY: guess, PREDICTED_CONFIDENCE_KEY: 0.8}, add_to_output=True)
    ConversationLanguage().process([message])
    assert message.get(INTENT)[INTENT_NAME_KEY] == intent
    said = [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == "language"]
    assert said == ([language] if language else [])


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po")), max_size=30))
def test_words_in_latin_letters_never_make_a_conversation_chinese(text: str) -> None:
    from bot.language import language_of

    if not re.search(r"[\u3400-\u9fff]", text) and "chinese" not in text.lower() and "zhongwen" not in text.lower():
        assert language_of(text, current="en", languages=("en", "zh")) == "en"


@pytest.mark.parametrize(
    ("data", "metadata"),
    [
        ({"message": "hi", "metadata": {"language": "zh-CN"}}, {"language": "zh"}),
        ({"message": "hi", "metadata": {"language": "en"}}, {"language": "en"}),
        ({"message": "hi", "metadata": {"language": "zh", "user": "x"}}, {"language": "zh"}),
        ({"message": "hi", "metadata": {"language": "../../etc"}}, {}),
        ({"message": "hi", "metadata": {"language": 3}}, {}),
        ({"message": "hi", "metadata": "zh"}, {}),
        ({"message": "hi"}, {}),
        ("hi", {}),
    ],
)
def test_a_channel_passes_on_only_a_language_tag(data: object, metadata: dict[str, str]) -> None:
    from channels import language_metadata

    assert language_metadata(data) == metadata
