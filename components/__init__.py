"""Custom Rasa NLU components: thin adapters over ``bot/``.

Rasa imports this package in every process that loads the model (``rasa run``,
``rasa shell``, ``rasa test``), so it is also where our speed-ups to Rasa
itself are applied (see ``speedups.py``).
"""

from components import speedups

speedups.apply()
