"""Our plug-ins to the Rasa server. Importing this package changes nothing in Rasa.

- ``red_flag_intent.py``: an NLU component (config.yml) whose red flags override the classifier.
- ``conversation_store.py``: the SQLite tracker store (endpoints.yml).
- ``speedups.py``, ``this_turn.py`` and ``server.py``: patches to Rasa 3.6 itself, installed with
  their guards (``patches.py``) only by the launcher, ``python -m rasa_plugins run ...``
  (``__main__.py``). docs/speedups.md lists them, with what each saves and when to remove it.
"""
