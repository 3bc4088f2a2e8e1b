"""Rasa SDK actions: thin adapters between Rasa and the screener in ``bot/``."""
