"""Parse rendered reports the way a reader's software would, for the escaping checks.

Markdown goes through markdown-it (CommonMark with GFM tables and strikethrough, raw
HTML allowed as GitHub allows it); HTML through the standard library's parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt

VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "param",
        "track"}


@dataclass
class Page:
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    texts: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (text, open elements)
    tables: list[list[int]] = field(default_factory=list)  # cells per row, per table
    codes: list[str] = field(default_factory=list)  # the text of each <code> element

    def text(self) -> str:
        return "".join(t for t, _ in self.texts)

    def names(self) -> set[str]:
        return {t for t, _ in self.tags}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.page.tables.append([])
        if tag == "tr":
            self.cells = 0
        if tag in ("td", "th"):
            self.cells += 1
        if tag == "code":
            self.page.codes.append("")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self.page.tables:
            self.page.tables[-1].append(self.cells)
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.page.texts.append((data, tuple(self.stack)))
        if "code" in self.stack:
            self.page.codes[-1] += data


def parse_html(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def markdown_to_html(md: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)


def parse_markdown(md: str) -> Page:
    return parse_html(markdown_to_html(md))
