"""The project's own spaCy pipeline: built from the lexicon, no downloaded model, stale ones refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy

from bot import LEXICON_DIR, SPACY_PIPELINE_DIR
from bot.reading.nlp import StalePipeline, is_current, pipeline, save_pipeline
from bot.yamlfile import load_yaml


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_pipeline(tmp_path_factory.mktemp("pipeline") / "nlp")


def test_the_pipeline_is_blank_english_plus_rules(built: Path) -> None:
    nlp = spacy.load(built)
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["entity_ruler"]  # no trained components, so nothing was downloaded
    assert not nlp.vocab.vectors.shape[0]
    assert is_current(built)


def test_entities_carry_the_lexicon_id(built: Path) -> None:
    doc = spacy.load(built)("I had rituximab and the MMR vaccine, then plasma exchange")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("rituximab", "MEDICINE", "medicine:rituximab"),
        ("MMR vaccine", "VACCINE", "vaccine:mmr"),
        ("plasma exchange", "PROCEDURE", "procedure:plasma_exchange"),
    ]


def test_chinese_names_match_inside_a_sentence(built: Path) -> None:
    doc = spacy.load(built)("我三个月前用过美罗华")
    assert [e.ent_id_ for e in doc.ents] == ["medicine:rituximab"]


def test_a_changed_lexicon_makes_the_pipeline_stale(built: Path, tmp_path: Path) -> None:
    lexicon_copy = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, lexicon_copy)
    out = save_pipeline(tmp_path / "nlp", lexicon_copy)
    assert is_current(out, lexicon_copy)
    medicines = lexicon_copy / "medicines.yml"
    medicines.write_text(medicines.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert not is_current(out, lexicon_copy)


def test_loading_a_missing_pipeline_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(StalePipeline, match="make spacy"):
        pipeline.__wrapped__(str(tmp_path / "nothing"))


def test_rasa_loads_the_same_pipeline() -> None:
    config = load_yaml(Path(__file__).parent.parent / "config.yml")
    spacy_nlp = next(c for c in config["pipeline"] if c["name"] == "SpacyNLP")
    assert (Path(__file__).parent.parent / spacy_nlp["model"]).resolve() == SPACY_PIPELINE_DIR.resolve()


def test_a_name_used_for_two_things_is_refused(tmp_path: Path) -> None:
    from bot.reading.lexicon import LexiconError, load_lexicon

    shutil.copytree(LEXICON_DIR, tmp_path / "lexicon")
    vaccines = tmp_path / "lexicon" / "vaccines.yml"
    vaccines.write_text(vaccines.read_text(encoding="utf-8").replace("names: [MMR,", "names: [rituximab, MMR,"))
    with pytest.raises(LexiconError, match="rituximab"):
        load_lexicon(tmp_path / "lexicon")
