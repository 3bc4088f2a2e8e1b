"""What is kept: screening records, normalised, never free text (``records.py``), and the clean-up of
conversations Rasa keeps while a screening can be resumed (``conversations.py``)."""
