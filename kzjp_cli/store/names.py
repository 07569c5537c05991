"""The names of the search engine's files in a generation folder, spelled once."""

INDEX_NAME = "MAIN"
"""Whoosh's name for the index in a folder: its files are ``MAIN_*`` and ``_MAIN_*.toc``."""
LOCK_FILE = f"{INDEX_NAME}_WRITELOCK"
"""Whoosh's own write lock, inside the generation folder (kzjp's own lock is the index folder's ``.lock``)."""
TEMP_FOLDER = f"{INDEX_NAME}.tmp"
"""The folder Whoosh's per-document writer makes and leaves behind."""
