"""The trial as data: its file under ``trials/``, loaded and checked (``model.py``)."""
