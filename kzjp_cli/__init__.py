"""kzjp: search and summarise a folder of news articles from the shell."""

from kzjp_cli import _imports

__version__ = "0.1.0"

_imports.install()
