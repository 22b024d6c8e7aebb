"""The live view's board (exercises.live.Live) as one HTML element: the three counts, a bar per answer,
the right answer when revealed, and the named mistakes. One element instead of ~10 (three metrics, a
heading, a progress bar per answer, the mistakes), so a refresh, which every open projector runs every
few seconds while a room submits, sends one message and builds no widget.

Every text here can come from a student's answer or an assignment file: each is html.escape'd. No student
id is ever part of a Live, so none can appear here.
"""

from __future__ import annotations

import html

from exercises.live import Live

# text #111111 and bars #a82a38 on white: the app's theme (.streamlit/config.toml); the track #e6e6e6
STYLE = """<style>
.al-live { font-family: inherit; color: #111111; }
.al-live-counts { display: flex; flex-wrap: wrap; gap: 0.5rem 2.5rem; margin: 0 0 1rem 0; padding: 0; }
.al-live-count { display: flex; flex-direction: column; margin: 0; padding: 0; }
.al-live-l { font-size: 0.875rem; }
.al-live-n { font-size: 2.25rem; line-height: 1.2; margin: 0; }
.al-live p { margin: 0.5rem 0; }
.al-live ul { margin: 0 0 1rem 0; padding: 0; }
.al-live-bars { list-style: none; }
.al-live-bars li { margin: 0 0 0.6rem 0; }
.al-live-track { display: block; height: 0.5rem; background: #e6e6e6; border-radius: 0.25rem; overflow: hidden; }
.al-live-fill { display: block; height: 100%; background: #a82a38; }
.al-live-mistakes { padding-left: 1.4rem !important; }
.al-live-none { color: #4d4d4d; font-size: 0.875rem; }
.al-live.large .al-live-l { font-size: 1.6rem; }
.al-live.large .al-live-n { font-size: 5rem; line-height: 1.1; }
.al-live.large, .al-live.large li, .al-live.large p { font-size: 1.7rem; line-height: 1.4; }
.al-live.large .al-live-track { height: 0.9rem; }
</style>"""

WHAT = {"choice": "", "number": " (3 significant digits)"}


def _count(label: str, value: int, help_text: str = "") -> str:
    title = f' title="{html.escape(help_text)}"' if help_text else ""
    return f'<div class="al-live-count"{title}><span class="al-live-l">{label}</span> <span class="al-live-n">{value}</span></div>'


def board_html(now: Live, *, reveal: bool = False, large: bool = False) -> str:
    """The board for one refresh. `reveal`: mark the right answer (✓) and name it. `large`: presenter-size
    type, for the projector page."""
    e = html.escape
    counts = (_count("Submitted", now.submitted) + _count("Solved", now.solved)
              + _count("Answered", now.answered, "Students with a readable answer: the bars count each one's latest."))
    if now.kind in WHAT:
        what = WHAT[now.kind]
    else:  # groups
        what = " (everyone has their own numbers)" if now.answer is None else " (right or wrong, and why)"
    bars = []
    for bar in now.bars:
        share = bar.students / now.answered if now.answered else 0.0
        mark = "✓ " if reveal and bar.right else ""
        bars.append(f'<li>{e(mark + bar.label)} · {bar.students}'
                    f'<span class="al-live-track" aria-hidden="true">'
                    f'<span class="al-live-fill" style="width:{100 * min(max(share, 0.0), 1.0):.1f}%"></span></span></li>')
    parts = [STYLE, f'<div class="al-live{" large" if large else ""}">',
             f'<div class="al-live-counts">{counts}</div>',
             f"<p><strong>Each student's latest answer{e(what)}</strong></p>"]
    parts.append(f'<ul class="al-live-bars">{"".join(bars)}</ul>' if bars else '<p class="al-live-none">No readable answer yet.</p>')
    if reveal and now.answer is not None:
        parts.append(f"<p><strong>Answer:</strong> {e(now.answer)}</p>")
    if now.mistakes:
        items = "".join(f"<li>{e(m.name)} · {m.students}{': ' + e(m.explanation) if m.explanation else ''}</li>"
                        for m in now.mistakes)
        parts.append(f'<p><strong>Named mistakes</strong> (students who made each at least once)</p><ul class="al-live-mistakes">{items}</ul>')
    else:
        parts.append('<p class="al-live-none">No named mistake yet.</p>')
    parts.append("</div>")
    return "".join(parts)
