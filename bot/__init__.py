"""The screener itself, without Rasa, in layers by concern (each imports only those above it):

- ``trial/``: the trial as data, its file under ``trials/`` loaded and checked;
- ``reading/``: what a person's words mean as the answer to one question (the lexicon, numbers,
  ages, labs, times, red flags);
- ``scoring.py``: each criterion's verdict from the answers, and what is still worth asking;
- ``session/``: one person's screening, changes to its answers, and the messages the bot sends;
- ``storage/``: what is kept, and for how long;
- ``yamlfile.py``: reading the YAML every layer's data is written in.

Nothing in here is specific to one trial; everything trial-specific is read
from a file under ``trials/`` and the vocabulary from ``lexicon/``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRIALS_DIR = PROJECT_ROOT / "trials"
LEXICON_DIR = PROJECT_ROOT / "lexicon"
BUILD_DIR = PROJECT_ROOT / "build"
SPACY_PIPELINE_DIR = BUILD_DIR / "spacy-pipeline"
