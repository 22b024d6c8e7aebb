"""exercises/live_board.py: the live view's board as one HTML element. Its counts, bars and mistakes are
read back with Python's own HTML parser (read_board, also used by the live page's AppTest); everything
typed is escaped; the right answer shows only when revealed."""

from __future__ import annotations

from html.parser import HTMLParser

from exercises.live import Bar, Live, Mistake
from exercises.live_board import board_html


class _Board(HTMLParser):
    def __init__(self):
        super().__init__()
        self.counts: dict[str, int] = {}
        self.bars: list[str] = []
        self.widths: list[float] = []
        self.text: list[str] = []
        self._tag, self._class, self._label, self._in_bars, self._li = None, None, None, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._tag, self._class = tag, a.get("class")
        if tag == "ul" and "al-live-bars" in (a.get("class") or ""):
            self._in_bars = True
        elif tag == "li" and self._in_bars:
            self._li = []
        elif tag == "span" and a.get("class") == "al-live-fill":
            self.widths.append(float(a["style"].removeprefix("width:").removesuffix("%")))

    def handle_endtag(self, tag):
        if tag == "li" and self._li is not None:
            self.bars.append("".join(self._li).strip())
            self._li = None
        elif tag == "ul":
            self._in_bars = False
        self._tag = self._class = None

    def handle_data(self, data):
        self.text.append(data)
        if self._li is not None:
            self._li.append(data)
        if self._class == "al-live-l":
            self._label = data
        elif self._class == "al-live-n":
            self.counts[self._label] = int(data)


def read_board(body: str) -> dict:
    """{"counts": {label: n}, "bars": [text of each bar], "widths": [% of each], "text": all the text}."""
    p = _Board()
    p.feed(body)
    return {"counts": p.counts, "bars": p.bars, "widths": p.widths, "text": " ".join(p.text)}


LIVE = Live(kind="choice", submitted=4, solved=1, answered=3,
            bars=(Bar("A) <b>token</b> 2", 2, right=False, mistake="max_instead_of_softmax"), Bar("B) token 1", 1, right=True)),
            mistakes=(Mistake("max_instead_of_softmax", 2, "Took the <i>max</i> & not the softmax."),), answer="B) token 1")


def test_the_counts_bars_and_mistakes_read_back():
    b = read_board(board_html(LIVE))
    assert b["counts"] == {"Submitted": 4, "Solved": 1, "Answered": 3}
    assert b["bars"] == ["A) <b>token</b> 2 · 2", "B) token 1 · 1"]  # the typed markup as text
    assert [round(w, 1) for w in b["widths"]] == [66.7, 33.3]
    assert "max_instead_of_softmax · 2: Took the <i>max</i> & not the softmax." in b["text"]


def test_everything_typed_is_escaped():
    body = board_html(LIVE, reveal=True)
    assert "<b>" not in body and "<i>" not in body and "&lt;b&gt;token&lt;/b&gt;" in body
    assert "&amp; not the softmax" in body


def test_the_answer_shows_only_when_revealed():
    hidden, shown = read_board(board_html(LIVE)), read_board(board_html(LIVE, reveal=True))
    assert "✓" not in hidden["text"] and "Answer:" not in hidden["text"]
    assert shown["bars"][1].startswith("✓ B) token 1") and not shown["bars"][0].startswith("✓")
    assert "Answer:" in shown["text"] and "B) token 1" in shown["text"]


def test_an_empty_room_and_presenter_size():
    empty = Live(kind="groups", submitted=0, solved=0, answered=0, bars=(), mistakes=(), answer=None)
    b = read_board(board_html(empty, large=True))
    assert b["counts"] == {"Submitted": 0, "Solved": 0, "Answered": 0} and b["bars"] == []
    assert "No readable answer yet." in b["text"] and "No named mistake yet." in b["text"]
    assert 'class="al-live large"' in board_html(empty, large=True) and 'class="al-live"' in board_html(empty)



def test_the_heading_says_what_the_bars_count():
    """A choice's bars are its options (no note); a number's, values to 3 digits; drawn variants', right or wrong."""
    def heading(live) -> str:
        body = board_html(live)
        return body[body.index("<strong>Each student"):body.index("</strong>", body.index("<strong>Each student"))]

    assert heading(LIVE) == "<strong>Each student's latest answer"
    number = Live(kind="number", submitted=1, solved=1, answered=1, bars=(Bar("0.655", 1, right=True),), mistakes=(),
                  answer="0.655")
    assert heading(number).endswith("(3 significant digits)")
    drawn = Live(kind="groups", submitted=1, solved=0, answered=1, bars=(Bar("Right", 1, right=True),), mistakes=(),
                 answer=None)
    assert heading(drawn).endswith("(everyone has their own numbers)")
