"""Reading the HTML heat tables (core/heat_table.py) back, as a screen reader or a spreadsheet paste would:
caption, column headers, row headers and cell texts, entities unescaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in: str | None = None  # caption / figcaption / th-col / th-row / td

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "figcaption": "", "cols": [], "rows": [], "cells": [],
                                "scopes": [], "styles": []})
        elif tag in ("caption", "figcaption"):
            self._in, self._cell = tag, []
        elif tag == "tr" and self.tables:
            self.tables[-1]["cells"].append([])
            self.tables[-1]["styles"].append([])
        elif tag in ("th", "td"):
            self._in, self._cell = (f"th-{a.get('scope')}" if tag == "th" else "td"), []
            if tag == "th":
                self.tables[-1]["scopes"].append(a.get("scope"))
            elif a.get("style"):
                self.tables[-1]["styles"][-1].append(a["style"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if self._cell is None or tag not in ("caption", "figcaption", "th", "td"):
            return
        text, t = "".join(self._cell), self.tables[-1]
        if tag in ("caption", "figcaption"):
            t[tag] = text
        elif self._in == "th-col":
            t["cols"].append(text)
        elif self._in == "th-row":
            t["rows"].append(text)
        elif t["cols"] or t["rows"]:  # a data cell (not the empty corner cell)
            t["cells"][-1].append(text)
        self._cell, self._in = None, None


def read_tables(html: str) -> list[dict]:
    """Every table in `html`: caption, figcaption (the sentence and the colour scale), cols, rows, cells
    (texts, row by row), scopes of its th cells, styles (each data cell's style attribute, row by row)."""
    reader = _Reader()
    reader.feed(html)
    for t in reader.tables:
        t["cells"] = [r for r in t["cells"] if r]
        t["styles"] = [r for r in t["styles"] if r]
    return reader.tables


def frame(table: dict) -> pd.DataFrame:
    """A table's cell texts with its row and column headers as index and columns."""
    return pd.DataFrame(table["cells"], index=table["rows"], columns=table["cols"])


def page_tables(at) -> dict[str, dict]:
    """Caption -> table, for every heat table an AppTest run shows (the first of a repeated caption)."""
    out: dict[str, dict] = {}
    for element in at.get("html"):
        for t in read_tables(element.proto.body):
            out.setdefault(t["caption"], t)
    return out
