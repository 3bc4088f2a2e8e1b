"""The project's own spaCy pipeline: blank English plus rules from the lexicon.

No model is downloaded. ``python -m bot.reading.nlp build`` writes the pipeline to
``build/spacy-pipeline`` with the spaCy that runs it; Rasa's SpacyNLP loads it
from there, and so does :func:`pipeline`. A fingerprint of the lexicon files is
stored beside it, so a stale pipeline is detected instead of silently used.
"""

from __future__ import annotations

import argparse
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy import about
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from bot import LEXICON_DIR, SPACY_PIPELINE_DIR
from bot.reading.lexicon import Lexicon, lexicon_digest, load_lexicon

FINGERPRINT = "lexicon-fingerprint.json"
# Chinese has no spaces; one token per character lets phrase rules match inside sentences. Chinese
# punctuation is a token of its own too: "hcq，pred", typed with a Chinese keyboard, is two names.
_CJK_CHAR = r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
UNVERIFIED = "unverified"


class StalePipeline(RuntimeError):
    pass


def _variants(name: str) -> set[str]:
    """Spellings that count as the same name: with hyphens, spaces, or neither."""
    found = {name, name.replace("-", " "), name.replace("-", "")}
    if re.search(r"[A-Za-z]", name) and (" " in name or "-" in name):
        found.add(re.sub(r"[\s-]+", "", name))
    return found


def _patterns(nlp: Language, lex: Lexicon) -> list[dict[str, Any]]:
    patterns = []
    for entry in lex.entries.values():
        for names, verified in ((entry.names, True), (entry.unverified_names, False)):
            for name in names:
                for variant in _variants(name):
                    tokens = [{"LOWER": t.lower_} for t in nlp.make_doc(variant) if not t.is_space]
                    if tokens:
                        patterns.append(
                            {
                                "label": entry.category.upper(),
                                "pattern": tokens,
                                "id": entry.key if verified else f"{entry.key}:{UNVERIFIED}",
                            }
                        )
        label = entry.category.upper()
        patterns += [{"label": label, "pattern": list(shape), "id": entry.key} for shape in entry.shapes]
    return patterns


def build_pipeline(lexicon_dir: Path = LEXICON_DIR) -> Language:
    nlp = spacy.blank("en")
    tokenizer: Tokenizer = nlp.tokenizer  # type: ignore[assignment]
    defaults = nlp.Defaults
    tokenizer.prefix_search = compile_prefix_regex([*(defaults.prefixes or []), _CJK_CHAR]).search
    # "HIV+", "HBsAg+": a plus after a name is its own token, so the name still matches; so is the full
    # stop English keeps on a single letter as an initial: here a name ends there ("hep B.", "car-t.").
    suffixes = [*(defaults.suffixes or []), _CJK_CHAR, r"\+", r"(?<=[A-Z])\."]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.rules = {k: v for k, v in (tokenizer.rules or {}).items() if not (len(k) == 2 and k[1] == ".")}
    tokenizer.infix_finditer = compile_infix_regex([*(defaults.infixes or []), _CJK_CHAR]).finditer
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": None, "overwrite_ents": True})
    ruler.add_patterns(_patterns(nlp, load_lexicon(lexicon_dir)))  # type: ignore[attr-defined]
    nlp.meta["name"] = "screener_lexicon"
    nlp.meta["description"] = "Blank English with entity rules built from the screener's lexicon files."
    return nlp


def save_pipeline(out_dir: Path = SPACY_PIPELINE_DIR, lexicon_dir: Path = LEXICON_DIR) -> Path:
    nlp = build_pipeline(lexicon_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    (out_dir / FINGERPRINT).write_text(
        json.dumps({"lexicon": lexicon_digest(lexicon_dir), "spacy": about.__version__}), encoding="utf-8"
    )
    return out_dir


def is_current(out_dir: Path = SPACY_PIPELINE_DIR, lexicon_dir: Path = LEXICON_DIR) -> bool:
    try:
        stamp = json.loads((out_dir / FINGERPRINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(stamp == {"lexicon": lexicon_digest(lexicon_dir), "spacy": about.__version__})


@lru_cache(maxsize=1)
def pipeline(path: str = str(SPACY_PIPELINE_DIR)) -> Language:
    if not is_current(Path(path)):
        raise StalePipeline(f"the spaCy pipeline in {path} is missing or older than the lexicon: run `make spacy`")
    return spacy.load(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument("--out", type=Path, default=SPACY_PIPELINE_DIR)
    args = parser.parse_args(argv)
    if args.command == "check":
        current = is_current(args.out)
        print("current" if current else "stale")
        return 0 if current else 1
    path = save_pipeline(args.out)
    print(f"built {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
