"""kzjp: search and summarise a folder of news articles from the shell."""

__version__ = "0.1.0"
