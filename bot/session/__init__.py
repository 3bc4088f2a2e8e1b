"""One person's screening: the questions in turn and their answers (``screening.py``), changes to
earlier answers (``corrections.py``), and every message the bot sends (``messages.py``)."""
