"""Rasa SDK actions: thin adapters between Rasa and the screener in ``bot/``.

Actions read the slots, the latest message and the events of the current turn
only (from the latest user message on): that is all Rasa sends them
(rasa_plugins/this_turn.py; tests/test_speedups.py fails on an action that reads
the history). Whatever must outlive a turn lives in a slot.
"""
