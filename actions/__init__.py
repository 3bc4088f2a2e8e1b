"""Rasa SDK actions: thin adapters between Rasa and the screener in ``bot/``.

Actions read the slots, the latest message and the events of the current turn
only (from the latest user message on): that is all Rasa sends them
(components/speedups.py). Whatever must outlive a turn lives in a slot.
"""
