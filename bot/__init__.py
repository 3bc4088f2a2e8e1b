"""The screener's own package: trial data, answer understanding, scoring, records.

Nothing in here is specific to one trial; everything trial-specific is read
from a file under ``trials/`` and the vocabulary from ``lexicon/``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRIALS_DIR = PROJECT_ROOT / "trials"
LEXICON_DIR = PROJECT_ROOT / "lexicon"
BUILD_DIR = PROJECT_ROOT / "build"
SPACY_PIPELINE_DIR = BUILD_DIR / "spacy-pipeline"
DEFAULT_TRIAL = TRIALS_DIR / "NCT05631717.yml"
