"""The Rasa data, the domain and the trial file agree with each other."""

from __future__ import annotations

from bot import PROJECT_ROOT
from bot.trial.model import load_trial
from bot.yamlfile import load_yaml

TRIAL = load_trial()
DOMAIN = load_yaml(PROJECT_ROOT / "domain.yml")
NLU = [item for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")) for item in load_yaml(path)["nlu"]]
RULES = [r for path in (PROJECT_ROOT / "data").glob("rules*.yml") for r in load_yaml(path)["rules"]]
NLU_INTENTS = {item["intent"] for item in NLU if "intent" in item}
# Intents that interrupt the screen are handled by rules, never taken as an answer.
INTERRUPTIONS = {"stop", "ask_why", "ask_human", "medical_advice", "out_of_scope", "start_over", "correct"}


def test_every_faq_topic_has_an_intent_examples_and_rules_in_and_out_of_the_screen() -> None:
    for key in TRIAL.faq:
        intent = f"faq_{key}"
        assert intent in DOMAIN["intents"] and intent in NLU_INTENTS, key
        loops = {r.get("condition", [{}])[0].get("active_loop") for r in RULES if {"intent": intent} in r["steps"]}
        assert loops == {"screening_form", None}, key
    faq_intents = {i for i in DOMAIN["intents"] if i.startswith("faq_")}
    assert faq_intents == {f"faq_{k}" for k in TRIAL.faq}


def test_every_intent_has_training_examples_and_every_example_one_intent() -> None:
    assert set(DOMAIN["intents"]) == NLU_INTENTS
    seen: dict[str, str] = {}
    for item in NLU:
        for line in item["examples"].splitlines():
            text = line.strip().removeprefix("- ").strip().lower()
            if text:
                assert seen.setdefault(text, item["intent"]) == item["intent"], text


def test_the_nlu_held_out_sets_not_folded_share_no_message_with_the_training_data() -> None:
    """A set still measuring (its README says which are folded) must be unseen, or it measures nothing."""
    trained = {
        line.strip().removeprefix("- ").strip().lower() for item in NLU for line in item["examples"].splitlines()
    }
    heldout = PROJECT_ROOT / "tests" / "data" / "nlu-heldout"
    readme = (heldout / "README.md").read_text(encoding="utf-8")
    unfolded = [d for d in sorted(heldout.iterdir()) if d.is_dir() and f"`{d.name}/` (folded" not in readme]
    assert unfolded, "the set that measures the next NLU change"
    for folder in unfolded:
        for path in folder.glob("*.yml"):
            texts = [str(t).strip().lower() for ts in load_yaml(path).values() for t in ts]
            assert not trained & set(texts), (path.name, sorted(trained & set(texts))[:5])


def test_the_form_never_takes_an_interruption_or_an_emergency_as_an_answer() -> None:
    excluded = set(DOMAIN["slots"]["answer"]["mappings"][0]["not_intent"])
    assert INTERRUPTIONS | {"red_flag", "self_harm"} <= excluded
    assert {f"faq_{k}" for k in TRIAL.faq} <= excluded
    assert not excluded & {"inform", "affirm", "deny", "unsure"}


def test_emergencies_have_rules_in_every_state() -> None:
    for intent in ("red_flag", "self_harm"):
        loops = {r.get("condition", [{}])[0].get("active_loop") for r in RULES if {"intent": intent} in r["steps"]}
        assert loops == {"screening_form", "correction_form", "callback_form", None}, intent
