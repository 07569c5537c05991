"""Readable text from HTML pages: the title and the paragraphs, without scripts or menus."""

from __future__ import annotations

import re
from typing import Any

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def html_to_text(html: str) -> tuple[str, str]:
    """The title and readable text of an HTML page: paragraphs and headings, no scripts or menus."""
    from html.parser import HTMLParser

    blocks = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "br", "tr", "article", "section"}
    skipped = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "head"}

    class Extractor(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.title: list[str] = []
            self.h1: list[str] = []
            self.stack: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in skipped:
                self.skip += 1
            if tag in blocks:
                self.parts.append("\n\n")
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if tag in skipped and self.skip:
                self.skip -= 1
            if tag in blocks:
                self.parts.append("\n\n")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass

        def handle_data(self, data: str) -> None:
            if "title" in self.stack:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)
                if "h1" in self.stack:
                    self.h1.append(data)

    parser = Extractor()
    parser.feed(html)
    parser.close()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", "".join(parser.parts))]
    text = "\n\n".join(p for p in paragraphs if p)
    title = " ".join("".join(parser.h1).split()) or " ".join("".join(parser.title).split())
    return title, text
