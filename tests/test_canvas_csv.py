"""exercises/store/canvas_csv.py: the roster in Canvas's gradebook import layout, checked against the
format Canvas documents (Canvas Guides "How do I import grades in the Gradebook?" and the layout of its
own Gradebook export): the five identity columns in order, a "Points Possible" row, then one row per
student with the points earned; RFC 4180 quoting, CRLF line ends, no cell a spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from exercises.store import Store
from exercises.store.canvas_csv import Column, canvas_csv, points, safe_cell
from exercises.store.reports import RosterRow

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]  # as Canvas's documentation lists them


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_header_points_possible_and_rows_follow_canvas_layout():
    columns = [Column("lecture8", "Lecture 8: attention", 4), Column("lecture9", "Lecture 9, BERT", 3)]
    rows = [RosterRow("alice", {"lecture8": 0.5, "lecture9": None}), RosterRow("bob", {"lecture8": 1 / 3, "lecture9": 1.0})]
    text = canvas_csv(rows, columns)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    table = read(text)
    assert table[0] == [*CANVAS_HEADER, "Lecture 8: attention", "Lecture 9, BERT"]
    assert table[1] == ["Points Possible", "", "", "", "", "4", "3"]
    assert table[2] == ["alice", "", "", "alice", "", "2", ""]  # no submission: empty, Canvas leaves it alone
    assert table[3] == ["bob", "", "", "bob", "", "1.33", "3"]
    assert '"Lecture 9, BERT"' in text.splitlines()[0]  # a comma in a title is quoted, not a new column
    assert all(len(r) == len(table[0]) for r in table)


@pytest.mark.parametrize("score, possible, want", [(None, 4, ""), (0.0, 4, "0"), (1.0, 4, "4"), (0.125, 4, "0.5"),
                                                   (2 / 3, 3, "2"), (0.1, 3, "0.3")])
def test_points_are_score_times_possible_to_two_decimals(score, possible, want):
    assert points(score, possible) == want


@pytest.mark.parametrize("typed", ["=1+1", "+cmd", "-2", "@sum(A1)", "\tx", "\rx"])
def test_typed_values_never_start_a_formula(typed):
    assert safe_cell(typed) == "'" + typed
    table = read(canvas_csv([RosterRow(typed, {"a": 1.0})], [Column("a", typed, 1)]))
    assert table[0][5] == "'" + typed and table[2][0] == "'" + typed and table[2][3] == "'" + typed


def test_store_export_uses_the_roster_and_the_layouts(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'g.sqlite3'}")
    store.record("s1", "alice", "a1", 0, "softmax", 7, "1", True, 1.0)
    store.record("s2", "alice", "a1", 1, "qk", 7, "1", True, 0.5)
    store.record("s3", "=bob", "a1", 0, "softmax", 7, "1", True, 0.25)
    store.add_student("carol")
    text = store.canvas_export([Column("a1", "A one", 2)], layouts={"a1": ["softmax", "qk"]})
    assert read(text) == [[*CANVAS_HEADER, "A one"], ["Points Possible", "", "", "", "", "2"],
                          ["'=bob", "", "", "'=bob", "", "0.25"], ["alice", "", "", "alice", "", "1.5"],
                          ["carol", "", "", "carol", "", ""]]
    store.close()
