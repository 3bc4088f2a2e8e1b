"""Red flags and self-harm are recognised in plain words, in English and Chinese, and negations are respected.

The phrase set in tests/data/red_flag_phrases.yml is written apart from the lexicon, so a
phrase that fails there is a gap in lexicon/red_flags.yml, not a test to loosen.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import PROJECT_ROOT
from bot.reading.red_flags import SELF_HARM, evaluate, find_red_flag, on_day, read_red_flags
from bot.yamlfile import load_yaml

PHRASES: dict[str, Any] = load_yaml(Path(__file__).parent / "data" / "red_flag_phrases.yml")
POSITIVES = [
    (text, category, language)
    for language, by_category in PHRASES["positives"].items()
    for category, texts in by_category.items()
    for text in texts
]
NEGATIVES = [text for texts in PHRASES["negatives"].values() for text in texts]
FILLER = PHRASES["filler"]["en"] + PHRASES["filler"]["zh"]
# Said before a red flag, these do not negate it (clinical review §2.4).
UNWELL = ["", "不舒服", "不太好", "我很不舒服，", "not well", "I'm not well", "I'm not feeling well,"]
# English words need a space or a stop between them; Chinese needs nothing.
SEPARATORS = {"en": [" ", ", ", ". ", "; ", "! "], "zh": ["", " ", "，", "。", ", "]}
SENTENCE_BREAKS = [". ", ", ", "; ", "! ", "。", "，"]
PROPERTIES = settings(database=None, deadline=None, max_examples=300)


def _category(text: str) -> str | None:
    flag = find_red_flag(text)
    return None if flag is None else flag.category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I have chest pain right now", "chest"),
        ("there's a crushing chest feeling", "chest"),
        ("I can't breathe properly", "breathing"),
        ("i cant breathe", "breathing"),
        ("I'm coughing up blood", "breathing"),
        ("my daughter just had a seizure", "brain"),
        ("his face is drooping and his speech is slurred", "brain"),
        ("worst headache of my life", "brain"),
        ("I haven't peed all day", "kidneys"),
        ("very little urine since yesterday", "kidneys"),
        ("fever of 39 with shaking chills", "infection"),
        ("I'm vomiting blood", "bleeding"),
        ("black stools this morning", "bleeding"),
        ("my throat is swelling after the new pill", "allergy"),
        ("severe belly pain", "abdomen"),
        ("我胸痛", "chest"),
        ("喘不上气", "breathing"),
        ("他在抽搐", "brain"),
        ("I want to die", SELF_HARM),
        ("i dont want to live anymore", SELF_HARM),
        ("I've been thinking about suicide", SELF_HARM),
        ("I might hurt myself", SELF_HARM),
        ("我不想活了", SELF_HARM),
        ("我想自杀", SELF_HARM),
    ],
)
def test_red_flags_are_found(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "I don't have chest pain",
        "I never had a seizure",
        "am I a fit for the study?",
        "I take prednisone and cellcept",
        "yes",
        "I had shingles last year",
        "my urine protein was 1.8 g/g",
        "what is lupus?",
        "",
    ],
)
def test_ordinary_answers_are_not_red_flags(text: str) -> None:
    assert find_red_flag(text) is None


def test_self_harm_wins_over_other_red_flags_and_ignores_negation_words() -> None:
    flag = find_red_flag("I have chest pain and I want to die")
    assert flag is not None and flag.is_self_harm
    assert find_red_flag("no one cares, I want to end my life") == find_red_flag("I want to end my life")


@pytest.mark.parametrize(
    "text",
    [
        "nobody would miss me if i died",
        "sometimes i think about not waking up",
        "i hope i don't wake up tomorrow",
        "i wish i was dead",
        "i dont want to be here anymore",
        # Written as training data for the Chinese classifier (issue 18), which the keyword layer missed.
        "真的活不下去了",
        "觉得死了就解脱了",
        "今晚就想了结自己",
        "不想再醒过来了",
        "活着太痛苦了，想结束",
        "想和这个世界告别了",
        "我想离开这个世界",
        "我想从这个世界消失",
        "我想一死了之",
        "我想跳河",
        "我不想醒过来了",
    ],
)
def test_quieter_ways_of_saying_it_are_self_harm_too(text: str) -> None:
    flag = find_red_flag(text)
    assert flag is not None and flag.is_self_harm


@pytest.mark.parametrize("text", ["我妈妈去年离开这个世界了", "病好了就解脱了", "我爸爸前年离开了这个世界"])
def test_a_death_in_the_family_or_relief_is_no_crisis(text: str) -> None:
    assert find_red_flag(text) is None


# ---------------------------------------------------------------- clinical review 1, §2.4 and R4
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我不舒服,胸痛", "chest"),
        ("我很不舒服，呼吸困难", "breathing"),
        ("我今天不太好，抽搐了", "brain"),
        ("不停抽搐", "brain"),
        ("不断抽搐", "brain"),
        ("不过胸痛得厉害", "chest"),  # 不过 is "but"
        ("I'm not well, chest pain", "chest"),
        ("not feeling well and chest pain", "chest"),
        ("no I have chest pain", "chest"),
        ("I've never had chest pain like this", "chest"),
        ("I had no fever yesterday but now I can't breathe", "breathing"),
    ],
)
def test_a_negation_elsewhere_in_the_message_does_not_cancel_the_red_flag(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "never had a seizure",
        "I have never had a seizure",
        "I don't have chest pain",
        "I haven't had any chest pains",
        "没有胸痛",
        "无胸痛",
        "没有出现过抽搐",
        "从来没有中风",
        "没有胸闷气短",
        "没有胸痛和呼吸困难",
    ],
)
def test_a_negation_of_the_symptom_itself_still_counts(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("chest pains", "chest"),
        ("I've been having seizures", "brain"),
        ("I keep fainting", "brain"),
        ("she collapsed", "brain"),
        ("he is convulsing", "brain"),
        ("I'm bleeding heavily", "bleeding"),
    ],
)
def test_inflected_forms_are_found(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my chest hurts", "chest"),
        ("heart attack", "chest"),
        ("short of breath", "breathing"),
        ("shortness of breath", "breathing"),
        ("breathless", "breathing"),
        ("I blacked out", "brain"),
        ("collapsed", "brain"),
        ("stroke", "brain"),
        ("I think I'm having a stroke", "brain"),
        ("I can't speak properly", "brain"),
        ("barely peeing", "kidneys"),
        ("hardly peeing", "kidneys"),
        ("very little pee", "kidneys"),
        ("I haven't urinated since last night", "kidneys"),
        ("legs really swollen", "kidneys"),
        ("severe swelling", "kidneys"),
        ("whole body swollen", "kidneys"),
        ("high fever", "infection"),
        ("fever 39.5 and chills", "infection"),
        ("fever is 40 degrees", "infection"),
        ("terrible headache", "brain"),
        ("severe headache", "brain"),
        ("BP 190/110", "blood_pressure"),
        ("my blood pressure is 200/120", "blood_pressure"),
        ("200/120", "blood_pressure"),
        ("bleeding heavily", "bleeding"),
        ("I keep thinking about ending it", SELF_HARM),
        ("I don't want to go on", SELF_HARM),
        ("overdose", SELF_HARM),
        ("I have seizures", "brain"),
        ("胸口痛", "chest"),
        ("胸口疼", "chest"),
        ("心口痛", "chest"),
        ("喘不过气", "breathing"),
        ("呼吸急促", "breathing"),
        ("晕倒", "brain"),
        ("昏倒", "brain"),
        ("中风", "brain"),
        ("尿很少", "kidneys"),
        ("少尿", "kidneys"),
        ("几乎没有尿", "kidneys"),
        ("浑身浮肿", "kidneys"),
        ("高热", "infection"),
        ("发烧39度", "infection"),
        ("抽筋", "brain"),
        ("不想活下去", SELF_HARM),
        ("活着没意思", SELF_HARM),
        ("结束生命", SELF_HARM),
        ("我晕倒了", "brain"),
    ],
)
def test_the_phrases_the_review_found_missing(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "yes, I'm breastfeeding my baby",
        "I am breastfeeding",
        "no chest pain",
        "没有胸痛",
        "prednisone 10 mg and hydroxychloroquine",
        "no vaccines",
        "UPCR 1.8 g/g",
        "I had a fever two months ago, it's gone",
        "I had a fever last month, fine now",
        "my blood pressure is fine",
        "blood pressure 120/80",
        # Bleeding that has stopped is not an emergency; only heavy or unstoppable bleeding is.
        "I stopped bleeding after the surgery",
        # History: months or years ago, and not said to be back.
        "I had a stroke five years ago",
        "I had a high fever last year, it went away",
        # Reads like a self-harm phrase, but is about the screen.
        "I don't want to go on with the questions",
    ],
)
def test_the_false_alarms_the_review_named(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I had a stroke two years ago and now it's happening again", "brain"),
        ("chest pain started 3 months ago and it's worse", "chest"),
        ("两个月前开始胸痛", "chest"),
        ("I had a seizure last week", "brain"),  # days or weeks: still a red flag (domain reference SD-01)
    ],
)
def test_old_symptoms_that_are_back_or_recent_still_flag(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("fever 38.9", None),
        ("fever 39", "infection"),
        ("temperature 101 F", None),
        ("temperature 102 F", "infection"),
        ("fever for 40 hours", None),
        ("I'm 40 and have a fever", None),
        ("bp 179/109", None),
        ("bp 180/90", "blood_pressure"),
        ("blood pressure 150 over 110", "blood_pressure"),
        ("blood pressure pills 200 mg", None),
        ("185/95", "blood_pressure"),
        ("120/80", None),
        ("180/200", None),
        ("血压185", "blood_pressure"),
    ],
)
def test_temperatures_and_blood_pressures_over_the_line(text: str, category: str | None) -> None:
    assert _category(text) == category


# ---------------------------------------------------------------- the phrase set
def test_the_phrase_set_is_broad_enough() -> None:
    by_language = {lang: sum(len(t) for t in groups.values()) for lang, groups in PHRASES["positives"].items()}
    assert by_language["en"] >= 120 and by_language["zh"] >= 80
    assert len(NEGATIVES) >= 80
    assert len({text for text, _, _ in POSITIVES} & set(NEGATIVES)) == 0


@pytest.mark.parametrize(("text", "category", "language"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_every_phrase_in_the_set_flags_as_written(text: str, category: str, language: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_ordinary_answer_in_the_set_flags(text: str) -> None:
    assert find_red_flag(text) is None


def test_evaluate_reports_recall_and_false_alarms() -> None:
    report = evaluate(
        {
            "positives": {"en": {"chest": ["chest pain", "hello"], SELF_HARM: ["chest pain"]}},
            "negatives": {"en": ["no chest pain", "heart attack"]},
        }
    )
    assert report["recall"] == pytest.approx(1 / 3) and report["missed"] == ["hello", "chest pain"]
    assert report["false_alarm_rate"] == 0.5 and report["false_alarms"] == ["heart attack"]
    whole = evaluate(PHRASES)
    assert (whole["recall"], whole["false_alarm_rate"], whole["wrong_category"]) == (1.0, 0.0, [])


# ---------------------------------------------------------------- slips
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("chset pain", "chest"),
        ("chest pian rn", "chest"),
        ("cnat breathe", "breathing"),
        ("siezure", "brain"),
        ("my son had two siezures today", "brain"),  # an inflected slip keeps its ending
        ("strok", "brain"),
        ("fevr 39 and chills", "infection"),
        ("caughing up blood", "breathing"),
        ("i can barly breathe", "breathing"),  # "barely", not "badly": a missed letter before a changed one
        ("sucidal", SELF_HARM),
        ("took an overdoes", SELF_HARM),
        ("honestly want to kms", SELF_HARM),  # texting short form
        # Everyday words typed for another, only inside a phrase (lexicon: real_word_slips).
        ("cheat pain and sweating", "chest"),
        ("i cant breath", "breathing"),
        ("struggling to breath", "breathing"),
        ("i want to dye", SELF_HARM),
    ],
)
def test_slips_of_red_flag_words_are_read_as_meant(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "I want to back out of the study",  # not "black out"
        "I don't want to give up",  # not "live"
        "I can't walk properly since my knee surgery",  # not "talk"
        "I can't see the button",  # not "pee"
        "I can't make him come with me",  # not "wake"
        "I want to dye my hair, is that allowed?",
        "I cheat at cards",
        "I take my breath",
        "I was overjoyed to hear about the study",  # a rarer word, but a word: not "overdosed"
        "I live 20 kms from the hospital",  # kilometres, not "kill myself"
    ],
)
def test_real_words_are_not_slips(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("凶口疼", "chest"),
        ("凶口很痛", "chest"),  # with an intensifier between
        ("胸口通", "chest"),
        ("喘不上起", "breathing"),
        ("呼吸困男", "breathing"),
        ("晕到了", "brain"),
        ("我奶奶昏到了", "brain"),
        ("好像中疯了", "brain"),
        ("出血止不柱", "bleeding"),
        ("吐学了", "bleeding"),
        ("发高少", "infection"),
        ("肚子通的厉害", "abdomen"),  # 的 for 得, and a homophone
        ("想一了白了", SELF_HARM),
        ("想割婉", SELF_HARM),
        ("想紫砂", SELF_HARM),  # 紫砂 is listed: the slang for 自杀
    ],
)
def test_input_method_homophones_in_chinese_phrases_of_three_or_more_characters(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "我要抽出时间来南京",  # 抽出 is a word: two-character phrases never take homophones
        "我在抽出时间填表",  # nor a real word made of one (在抽搐, 倒地抽搐)
        "我想去四川看病",  # 想去死: 四 starts 四川
        "我不想成为小白鼠",  # 不想撑: 成 starts 成为
        "舌头中间有溃疡",  # 舌头肿
        "快递运到了",  # 晕倒了: two characters would have to change
        "药量我想调下去",  # 跳下去: 调下去 is a word
        "用紫砂锅煮中药",
    ],
)
def test_homophones_do_not_make_ordinary_words_red_flags(text: str) -> None:
    assert find_red_flag(text) is None


def test_the_homophone_file_is_what_the_lexicon_gives() -> None:
    from tools import homophones  # pypinyin and jieba: here, never in the server

    assert homophones.dump(homophones.build()) == homophones.OUT.read_text(encoding="utf-8"), (
        "run python -m tools.homophones"
    )


def test_reading_red_flags_loads_neither_pypinyin_nor_jieba() -> None:
    probe = (
        "import sys\n"
        "from bot.reading.red_flags import find_red_flag\n"
        "assert find_red_flag('凶口疼') is not None\n"
        "print(sorted(m for m in ('pypinyin', 'jieba') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------- questions, history, other negations
@pytest.mark.parametrize(
    "text",
    [
        "what if I get chest pain on it?",
        "what happens if I have a seizure during the study?",
        "can the stem cells cause a stroke?",
        "could IL-2 cause shortness of breath?",
        "does tacrolimus cause seizures",
        "who do I call if I get a high fever during the trial?",
        "is a stroke a side effect?",
        "will I get a heart attack from it?",
        "如果胸痛了怎么办？",
        "用干细胞会不会中风？",
        "要是试验期间抽搐了怎么办？",
        "IL-2会引起呼吸困难吗？",
        "吃这个药会中风吗",
        "胸痛是副作用吗？",
    ],
)
def test_questions_and_what_ifs_are_not_emergencies(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out  # so a red-flag guess of the classifier is dropped too


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I think I'm having a heart attack", "chest"),
        ("is this a heart attack?? my chest hurts", "chest"),
        ("what if this is a stroke?", "brain"),  # about now
        ("not sure if I'm having a heart attack", "chest"),
        ("if I lie down I can't breathe", "breathing"),  # the symptom is what happens
        ("if I have chest pain now, should I call 120?", "chest"),
        ("it feels as if my chest is being crushed", "chest"),
        ("the new pill caused a seizure", "brain"),  # not a question
        ("会不会是心梗？胸口好痛", "chest"),
        ("如果躺下就喘不上气，是什么原因", "breathing"),
        ("胸痛怎么办", "chest"),
    ],
)
def test_a_symptom_now_is_no_hypothetical(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "I had a seizure in 2008",
        "my aunt had a heart attack in 2015",
        "my grandmother died of a stroke",
        "my brother had seizures when he was little",
        "I fainted once in high school",
        "I passed out when I was 15",
        "I passed out once at a blood test, years ago",
        "我爸以前有过心梗",
        "2015年得过脑梗，已经恢复了",
        "他20岁的时候抽搐过",
    ],
)
def test_someone_elses_past_and_a_past_with_a_year_or_an_age_are_history(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my husband is having a fit", "brain"),
        ("我妈在抽搐", "brain"),
        ("my daughter just had a seizure", "brain"),
        ("my mother collapsed in the kitchen", "brain"),
        ("I had a seizure in 2008 and now I'm having one again", "brain"),
        ("比以前更喘不上气了", "breathing"),  # 以前 compares; the symptom is now
        ("以前从没这么胸痛过", "chest"),
        ("一小时以前晕倒了", "brain"),
    ],
)
def test_an_emergency_now_is_a_red_flag_whoever_has_it(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "never any trouble with breathing or chest pain",
        "chest pain? no, never had that",
        "not once have I fainted",
        "no history of stroke",
        "I don't get chest pains",
        "胸痛？从来没有过",
        "胸口疼这种情况一次都没有",
        "抽搐、晕倒这些都没有",
    ],
)
def test_more_ways_of_saying_no(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I don't feel good chest pain", "chest"),
        ("the pills don't help chest pain all day", "chest"),
        ("chest pain no matter what I do", "chest"),
        ("I have chest pain, no fever", "chest"),
        ("胸痛没有缓解", "chest"),
        ("胸痛一直没有好转", "chest"),
    ],
)
def test_a_negation_of_something_else_leaves_the_red_flag(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "I nearly had a heart attack when I saw the parking fee",
        "you gave me a heart attack",
        "晚上睡觉腿抽筋",
        "小腿经常抽筋",
        "腿有点抽筋",
    ],
)
def test_idioms_and_cramps_are_not_emergencies(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("孩子抽筋了", "brain"),
        ("there's blood in my stool", "bleeding"),
        ("my poop is black and tarry", "bleeding"),
        ("nosebleed for an hour and it won't stop", "bleeding"),
        ("bruises everywhere", "bleeding"),
        ("身上好多出血点", "bleeding"),
        ("my left leg is swollen and hurts", "clots"),
        ("右腿突然肿了还疼", "clots"),
        ("excruciating stomach pain", "abdomen"),
        ("肚子疼得在床上打滚", "abdomen"),
        ("my throat feels like it's closing", "allergy"),
        ("I'm pregnant, and bleeding", "pregnancy"),
        ("怀孕7个月，头特别疼", "pregnancy"),
        ("I keep hearing voices", "mental_health"),
        ("能看到别人看不见的东西", "mental_health"),
        ("I've been saving up my pills", SELF_HARM),
        ("wrote a goodbye letter", SELF_HARM),
        ("giving all my things away", SELF_HARM),
        ("I won't be around much longer", SELF_HARM),
        ("I'm a burden to my family", SELF_HARM),
        ("我在攒药", SELF_HARM),
        ("遗书写好了", SELF_HARM),
        ("后事都安排好了", SELF_HARM),
        ("不想拖累家人", SELF_HARM),
        ("对不起大家，我先走了", SELF_HARM),
        ("睡着了就别醒了", SELF_HARM),
        ("不想撑了", SELF_HARM),
    ],
)
def test_the_other_groups_of_the_domain_reference(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "blood in urine",  # common in lupus nephritis; not a red flag of domain reference §9.1
        "我有尿血",
        "I'm saving up for the trip to Nanjing",
        "I won't be around in July",
        "我在攒钱去南京看病",
        "下个月我不在南京",
        "I'm not pregnant, bleeding gums when I brush",
    ],
)
def test_look_alikes_of_the_other_groups_are_not(text: str) -> None:
    assert find_red_flag(text) is None


# ---------------------------------------------------------------- the held-out set of 2026-12-06, folded
@pytest.mark.parametrize(
    "text",
    [
        # Long past ("back then" after a year, "as a teenager"), and "none since" says nothing is back.
        "yes, since 2014. I had a seizure during my first big flare back then, none since",
        "prednisone 7.5mg, hydroxychloroquine, and keppra because I had seizures as a teenager, none since",
        "had a seizure as a kid, none since",
        "I've had lupus since 2015. I had a stroke in 2019, fine since",
        # Weeks ago, told in the past, and said to be over.
        "yes, pneumonia 3 weeks ago, I was in hospital on a drip with fever and chills, home now and feeling fine",
        "c-section 7 weeks ago, lost quite a lot of blood during it but all healed now",
        "I had a seizure 2 weeks ago, feeling fine now",
        "2015年确诊的，那时候抽搐过一次，现在稳定了",
        "三周前肺炎住院，发高烧过，现在已经好了",
        # A few years ago, someone else.
        "我妈前几年中风过，我自己没有",
        "I had a seizure in 2008.",
        # 的话 marks the condition after the symptom.
        "不记得了。尿少的话怎么办？",
        "抽搐了的话，要去医院吗",
        # Breathlessness only on effort.
        "asthma, well controlled. I only get short of breath if I run for the bus",
        "I get short of breath when I exercise",
        "when I run I get breathless",
        "跑步的时候有点气短",
        "一跑步就气短",
    ],
)
def test_history_over_and_effort_and_what_ifs_the_held_out_set_found(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Days, a week, an hour: too recent, whatever is said after (domain reference SD-01).
        ("I had a seizure yesterday, none since", "brain"),
        ("I had a seizure a week ago, feeling fine now", "brain"),
        ("I had chest pain an hour ago, feeling fine now", "chest"),
        ("一周前抽搐过一次，现在好了", "brain"),
        ("昨天吃完药，那时候就晕倒了，现在好了", "brain"),
        # Not said to be over, or said to be back, or not told in the past.
        ("I had chest pain 3 weeks ago, not fully recovered", "chest"),
        ("pneumonia 3 weeks ago, I was in hospital with fever and chills, now fever and chills are back", "infection"),
        ("3 weeks ago I got sick, I have fever and chills, feeling fine otherwise", "infection"),
        ("c-section 7 weeks ago, lost a lot of blood, and I'm bleeding heavily again", "bleeding"),
        ("2015年确诊的，那时候抽搐过一次，现在又抽了", "brain"),
        ("病情不稳定了，那时候抽搐过", "brain"),
        ("我前几天中风了", "brain"),
        # 的话 that is no condition: "it hurts so much I can't speak".
        ("胸口疼的话都说不出来了", "chest"),
        ("我现在尿少的话怎么办", "kidneys"),
        # Breathlessness that is not only on effort, or happening now, or not breathlessness.
        ("I'm short of breath even when I'm not exercising", "breathing"),
        ("I get short of breath if I run out of my inhaler", "breathing"),
        ("I'm short of breath now after running for the bus", "breathing"),
        ("I can't breathe when I run", "breathing"),
        ("I cough up blood when I run", "breathing"),
        ("I get breathless just walking to the bathroom", "breathing"),
        ("不运动也气短", "breathing"),
        ("爬楼梯就气短", "breathing"),
        # One-sided weakness of an arm or a leg, and an input-method slip of a two-character phrase.
        ("不知道。我现在嘴外了，右手拿不住东西", "brain"),
        ("我右手拿不住东西", "brain"),
        ("左腿突然没力气", "brain"),
        ("右手没有力气", "brain"),
        ("他嘴外了", "brain"),
        ("是的。有时候真想跳搂", SELF_HARM),
        ("真想跳搂谢谢", SELF_HARM),
        ("不知道，无所谓了，不想或了", SELF_HARM),
    ],
)
def test_what_the_held_out_set_found_leaves_red_flags(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "这样方便些了",  # 便血: 方便 is a word, 方 no lead
        "嘴外面起了个泡",  # 嘴歪: the phrase does not end its clause
        "右手腕疼，拿不住东西",  # a comma between: the wrist, not a stroke
        "左腿没事，力气也还好",
    ],
)
def test_two_character_slips_and_weakness_need_their_guards(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "depression, under control with sertraline. I'm not suicidal or anything",
        "I'm not suicidal",
        "no suicidal thoughts",
        "I have never thought about suicide",
        "I don't feel suicidal",
        "有点抑郁，在吃药，没有自杀的念头",
        "我没有自杀的想法",
        "不想自杀",
        "我从来没有想过自杀",
        "没有想过轻生",
    ],
)
def test_a_plain_denial_of_suicide_is_no_crisis(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and not reading.ruled_out  # a crisis guess of the classifier stands


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to live",
        "不想活了",
        "我不想活",
        "I'm not suicidal yet",
        "I can't say I'm not suicidal",
        "not sure I'm not suicidal",
        "I'm not suicidal but I want to die",
        "I'm not suicidal, just tired of living",
        "no, I'm suicidal",
        "I don't have the guts to commit suicide",
        "I never thought about suicide until this week",
        "not suicidal but I've been thinking about suicide a lot",
        "没有自杀的勇气",
        "还没有自杀",
        "目前没有自杀的想法",
        "不是没有自杀的念头",
        "我不想自杀，只想死",
        "没有自杀成功",
    ],
)
def test_every_other_self_harm_wording_stays_a_crisis(text: str) -> None:
    flag = find_red_flag(text)
    assert flag is not None and flag.is_self_harm


# ---------------------------------------------------------------- the held-out set of 2026-12-06b, folded
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A misspelling two letters off, new confusion in someone else, a sudden loss of sight.
        ("i had a seizer ten minutes ago, first one ever", "brain"),
        ("my dad suddenly didn't know who I was", "brain"),
        ("she doesn't know what day it is, that's new for her", "brain"),
        ("我妈突然不知道自己在哪了", "brain"),
        ("I lost the sight in one eye an hour ago", "brain"),
        ("my vision just went dark on the left side", "brain"),
        ("我爸刚才口吐白沫", "brain"),
        # Black or tarry stools, pinpoint spots and many bruises, blood vomited with a count between.
        ("my poop is black and smells awful", "bleeding"),
        ("my stools look like tar", "bleeding"),
        ("tiny red dots have come up on my ankles", "bleeding"),
        ("I've got loads of bruises I can't explain", "bleeding"),
        ("早上吐了一口血", "bleeding"),
        # Severe belly pain said with an intensifier; a one-sided swollen, painful calf.
        ("really bad stomach pain, I'm bent over", "abdomen"),
        ("右边小腿又肿又疼", "clots"),
        # Little or no urine: half a day or more without, or under 400 mL a day (in digits or words).
        ("从中午到现在都没小便", "kidneys"),
        ("一晚上没尿", "kidneys"),
        ("二十四小时尿量只有两百毫升", "kidneys"),
        ("I only pee about 250 ml a day", "kidneys"),
        ("urine output was 200ml", "kidneys"),
        ("尿量不到400毫升", "kidneys"),
        # A pregnancy told in one sentence, what is wrong in the next.
        ("I'm 20 weeks pregnant. Spotting since this morning", "pregnancy"),
        ("怀孕五个月了。下午开始肚子很疼", "pregnancy"),
        ("怀孕三个月，今天见红了", "pregnancy"),
        # Someone hearing a person who is not there, the "nobody" after a comma.
        ("老是听到有人叫我名字，可是家里没人", "mental_health"),
        # A plan, pills saved up or taken, feeling unsafe, a voice that says to die, slips.
        ("I've worked out how to end it", SELF_HARM),
        ("i keep planning to end it", SELF_HARM),
        ("I have been saving them up for weeks", SELF_HARM),
        ("gonna kil myself", SELF_HARM),
        ("I took a whole bottle of my pills", SELF_HARM),
        ("I swallowed a whole packet of tablets", SELF_HARM),
        ("I don't feel safe with myself", SELF_HARM),
        ("a voice keeps telling me to die", SELF_HARM),
        ("有时想着自沙", SELF_HARM),
        ("想zisha", SELF_HARM),
        ("耳朵里有个声音让我去死", SELF_HARM),
        ("我把一瓶安眠药全吞了", SELF_HARM),
        ("我想好了怎么走", SELF_HARM),
        ("真的不想再拖累孩子了", SELF_HARM),
    ],
)
def test_what_the_second_held_out_set_found_missing(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        # Over, and told in the past: by the tense ("drooped"), 了一段时间, or a time in its own clause.
        "I had a seizure when I was 15, none since, not on seizure medication",
        "shingles in 2018, my face drooped for a while but it cleared up",
        "four weeks ago I had a fever of 39 and chills, it cleared up with antibiotics",
        "TB in 2001, coughed up blood at the time, cured",
        "三周前发烧到39度,打了几天吊瓶,都好了",
        "前年得过面神经炎,嘴歪了一段时间,后来完全好了",
        "前几年肺炎,那会儿喘不上气,早就好了",
        # A medicine named for what it prevents; no protein or blood in the urine.
        "No, I don't take any anti-seizure meds",
        "一直没尿血",
        "现在几乎没有尿蛋白了",
    ],
)
def test_what_the_second_held_out_set_found_ruled_out(text: str) -> None:
    reading = read_red_flags(text)
    assert reading.flag is None and reading.ruled_out


@pytest.mark.parametrize(
    "text",
    [
        "I'm on seizure tablets for epilepsy, well controlled",
        "I don't get many bruises",
        "I pee about 300 ml each time",
        "I drink 300 ml of water a day",
        "my urine protein is 300 mg a day",
        "I passed 300ml of urine this morning",
        "urine output 1500 ml a day",
        "I swallow my tablets whole",
        "I take them all at once in the morning",
        "I don't trust myself to remember the dates",
        "每次尿三百毫升左右",
        "一天尿量两千毫升",
        "每天喝水300毫升,尿量正常",
        "留了10毫升尿去化验",
        "如果尿量少于400毫升怎么办",
        "去年尿量只有300毫升，现在正常了",
        "我不知道自己在哪个组",
        "左边小腿有点肿，不痛",
        "想着自己的病",
        "药片太大,整粒吞下去",
        "my daughter disha is typing for me",  # a name, no slip of zisha
        "I'm 30 weeks pregnant. No bleeding, no headache",
        "没有怀孕。偶尔头疼",
    ],
)
def test_look_alikes_of_what_the_second_held_out_set_found(text: str) -> None:
    assert find_red_flag(text) is None


def test_a_comma_ends_a_look_alike_of_a_medicine() -> None:
    assert _category("I had a seizure, meds changed since") == "brain"


# ---------------------------------------------------------------- properties
def _joined(parts: list[str], separators: st.SearchStrategy[str], draw: Callable[[st.SearchStrategy[str]], str]) -> str:
    text = parts[0] if parts else ""
    for part in parts[1:]:
        separator = draw(separators)
        if not separator and text[-1:].isascii() and text[-1:].isalpha() and part[:1].isascii() and part[:1].isalpha():
            separator = " "  # Chinese needs no space, but two Latin words glued are one ("zishaI")
        text += separator + part
    return text


@st.composite
def flag_in_filler(draw: st.DrawFn) -> tuple[str, str]:
    """A phrase from the set at a random place among filler, maybe after "not well" or 不舒服."""
    text, category, language = draw(st.sampled_from(POSITIVES))
    separators = st.sampled_from(SEPARATORS[language])
    before = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    unwell = draw(st.sampled_from(UNWELL))
    parts = [*before, *([unwell] if unwell else []), text, *after]
    return _joined(parts, separators, draw), category


@given(flag_in_filler())
@PROPERTIES
def test_a_red_flag_among_other_words_still_flags(case: tuple[str, str]) -> None:
    text, category = case
    assert _category(text) == category, text


@st.composite
def negated_with_filler(draw: st.DrawFn) -> str:
    """A negated symptom ("no X", "没有X"), with filler before (as its own sentence) and after."""
    language = draw(st.sampled_from(["en", "zh"]))
    symptom = draw(st.sampled_from(PHRASES["negatable"][language]))
    assert find_red_flag(symptom) is not None, symptom
    forms = {
        "en": ["no {}", "I don't have {}", "never had {}", "I have not had any {}"],
        "zh": ["没有{}", "无{}", "从来没有{}", "没有出现过{}"],
    }
    negated = draw(st.sampled_from(forms[language])).format(symptom)
    before = draw(st.lists(st.sampled_from(FILLER), max_size=2))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    head = _joined(before, st.sampled_from(SENTENCE_BREAKS), draw)
    tail = _joined([negated, *after], st.sampled_from(SEPARATORS[language]), draw)
    return f"{head}{draw(st.sampled_from(SENTENCE_BREAKS))}{tail}" if head else tail


@given(negated_with_filler())
@PROPERTIES
def test_a_negated_symptom_with_filler_does_not_flag(text: str) -> None:
    assert find_red_flag(text) is None, text


@given(st.lists(st.sampled_from(NEGATIVES), min_size=1, max_size=4), st.data())
@PROPERTIES
def test_ordinary_answers_together_do_not_flag(answers: list[str], data: st.DataObject) -> None:
    text = _joined(answers, st.sampled_from(SENTENCE_BREAKS), data.draw)
    assert find_red_flag(text) is None, text


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("我已经想好怎么走了", True),  # 走 for dying, with a plan
        ("想好了怎么走了，再见了", True),
        ("已经想好怎么走了，坐地铁", False),  # the way to the hospital, at the question about visits
        ("想好怎么走了，开车去南京", False),
        ("想好怎么走到医院了", False),
    ],
)
def test_the_way_to_go_is_a_plan_to_die_only_without_a_way_to_travel(text: str, flagged: bool) -> None:
    reading = read_red_flags(text)
    assert (reading.flag is not None and reading.flag.is_self_harm) is flagged, text


_SOMEONE = {"en": ["my son", "my mum", "my husband", "my friend"], "zh": ["我儿子", "我妈", "我老公", "我朋友"]}
_SYMPTOMS = {"en": ["a high fever", "a stroke", "a seizure"], "zh": ["高烧", "抽搐", "晕倒"]}


@settings(max_examples=60, deadline=None)
@given(
    lang=st.sampled_from(["en", "zh"]),
    who=st.integers(0, 3),
    what=st.integers(0, 2),
    when=st.sampled_from([("last week", "上周"), ("years ago", "几年前"), ("a few days ago", "前几天")]),
    opening=st.sampled_from(["", "no. ", "no, "]),
)
def test_someone_elses_symptom_told_in_the_past_is_no_emergency(
    lang: str, who: int, what: int, when: tuple[str, str], opening: str
) -> None:
    """ "no. my son had a high fever last week, not me" and "没有，是我儿子上周高烧" got the emergency message."""
    someone, symptom = _SOMEONE[lang][who], _SYMPTOMS[lang][what]
    if lang == "en":
        text = f"{opening}{someone} had {symptom} {when[0]}, not me"
    else:
        text = f"{'没有，' if opening else ''}是{someone}{when[1]}{symptom}"
    assert find_red_flag(text) is None, text
    assert read_red_flags(text).told_as_history, text


@settings(max_examples=40, deadline=None)
@given(lang=st.sampled_from(["en", "zh"]), who=st.integers(0, 3), what=st.integers(0, 2))
def test_someone_elses_symptom_now_or_the_persons_own_after_it_still_flags(lang: str, who: int, what: int) -> None:
    someone, symptom = _SOMEONE[lang][who], _SYMPTOMS[lang][what]
    for text in (
        [f"{someone} is having {symptom} right now", f"{someone} had {symptom} last week and now i have one too"]
        if lang == "en"
        else [f"{someone}现在{symptom}", f"{someone}上周{symptom}，今天我也{symptom}了"]
    ):
        assert find_red_flag(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "小时候有哮喘，喘得厉害，现在好了",
        "没有，也没喂奶。去年流产过一次，出了很多血",
        "是，当年是抽搐了一次才查出来的，后来再没犯过",
        "不能了，生二胎的时候大出血，差点没命，后来就结扎了",
    ],
)
def test_a_time_long_back_in_the_clause_before_dates_a_symptom_told_as_done(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    "text", ["以前有过，胸口痛得厉害", "去年确诊的，最近出了很多血", "去年做的手术，今天出了很多血"]
)
def test_a_time_long_back_before_a_symptom_not_told_as_done_still_flags(text: str) -> None:
    assert find_red_flag(text) is not None


def test_a_chinese_month_two_or_more_back_is_history() -> None:
    today = date.today()
    back, near = (today.month - 4) % 12 + 1, today.month
    assert find_red_flag(f"没有，{back}月份高烧寒战住过院，早就好了") is None
    assert find_red_flag(f"{near}月高烧40度") is not None
    assert find_red_flag("三个月高烧不退") is not None  # a span of months is no month


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("发烧38度9 打摆子 吃着激素和他克莫司 难受死了", True),
        ("fever 38.6 and chills", True),
        ("fever 101.5 with shaking chills", True),
        ("I've got 40 degrees and chills since this afternoon", True),
        ("fever 38.6, no chills", False),
        ("体温38.7，没有寒战", False),
        ("发烧38度5", False),
    ],
)
def test_a_fever_from_38_5_with_shaking_chills_is_an_emergency(text: str, flagged: bool) -> None:
    """Domain reference, red flags: fever ≥ 38.5 °C with shaking chills (高烧寒战); 38度9 is 38.9."""
    assert (find_red_flag(text) is not None) == flagged


@pytest.mark.parametrize(
    "text",
    [
        "No. My mother-in-law is on a drip in hospital after a stroke, so I'm there every day, but nothing for me",
        "没有。我婆婆中风住院在挂水，我天天往医院跑",
        "没有，前阵子我儿子发高烧住院了，现在出院了，我自己好好的",
        "没打。上次抽血晕针晕过去了，丢死人了",
        "I had a mini-stroke (TIA) in 2021 from my antiphospholipid antibodies, on warfarin since and no problems",
    ],
)
def test_someone_else_in_care_and_fainting_at_a_needle_are_no_emergency(text: str) -> None:
    assert find_red_flag(text) is None


def test_an_english_month_two_or_more_back_is_history() -> None:
    month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"][(date.today().month - 4) % 12]  # fmt: skip
    assert find_red_flag(f"No. I had a 39 degree fever in {month} with flu, gone in three days") is None
    assert find_red_flag("fever 39.5 since yesterday") is not None


def test_a_month_is_read_back_from_the_day_the_message_is_read_on() -> None:
    """ "三月份…" is history said in December and not said in March: a folded set's messages are read on
    the day they were written, so its tests hold whatever the day they run."""
    text = "没有，三月份高烧寒战住过院，早就好了"
    with on_day(date(2026, 12, 7)):
        assert find_red_flag(text) is None
    with on_day(date(2027, 3, 20)):
        assert find_red_flag(text) is not None
