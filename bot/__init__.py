"""The screener's own package: trial data, answer understanding, scoring, records.

Nothing in here is specific to one trial; everything trial-specific is read
from a file under ``trials/`` and the vocabulary from ``lexicon/``.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRIALS_DIR = PROJECT_ROOT / "trials"
LEXICON_DIR = PROJECT_ROOT / "lexicon"
BUILD_DIR = PROJECT_ROOT / "build"
SPACY_PIPELINE_DIR = BUILD_DIR / "spacy-pipeline"


def _default_trial() -> Path:
    """$SCREENER_TRIAL, or the only file in trials/."""
    if os.environ.get("SCREENER_TRIAL"):
        return Path(os.environ["SCREENER_TRIAL"])
    files = sorted(TRIALS_DIR.glob("*.yml"))
    if len(files) != 1:
        raise RuntimeError(f"{len(files)} trial files in {TRIALS_DIR}: set SCREENER_TRIAL to choose one")
    return files[0]


DEFAULT_TRIAL = _default_trial()
