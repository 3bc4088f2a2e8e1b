"""Reading answers: what a person's words mean as the answer to one question.

``answers.py`` is the entry point (``understand``); the others read one kind of thing: numbers,
ages, lab results, times, the lexicon's terms (medicines, vaccines, procedures, conditions) and
everyday words, with the project's spaCy pipeline (``nlp.py``) and red flags (``red_flags.py``).
"""
