"""The pieces of issue 10's one-element route for page 1, pasted into page1_stripped.py's copies: the four
matrix inputs as ONE element (a components.v2 component of our own, no third-party JavaScript) and each step
as ONE element (heading, formula as MathML, shapes, meaning and heat tables in one st.markdown with
unsafe_allow_html: st.html's sanitizer keeps only HTML and drops <math>). An experiment:
page 1 does not use it. Needs latex2mathml (pinned in requirements-dev.txt for this benchmark only)."""

from html import escape

import streamlit as st
from latex2mathml.converter import convert

from app.export import export_panel
from app.steps import step_controls
from core.examples import ice1
from core.heat_table import heat_table
from core.matrix_text import format_matrix, read_matrix

# four labelled boxes; Ctrl+Enter in one, or leaving a changed one, sends all four (one fragment run)
_HTML = """<div class="mx" role="group" aria-label="Inputs X, W_Q, W_K, W_V">
<div><label for="mx-X">X</label><textarea id="mx-X" name="X" rows="5" spellcheck="false"></textarea></div>
<div><label for="mx-W_Q">W_Q</label><textarea id="mx-W_Q" name="W_Q" rows="5" spellcheck="false"></textarea></div>
<div><label for="mx-W_K">W_K</label><textarea id="mx-W_K" name="W_K" rows="5" spellcheck="false"></textarea></div>
<div><label for="mx-W_V">W_V</label><textarea id="mx-W_V" name="W_V" rows="5" spellcheck="false"></textarea></div>
</div>"""
_CSS = """.mx { display: flex; flex-wrap: wrap; gap: 1rem; }
.mx > div { flex: 1 1 10rem; display: flex; flex-direction: column; }
label { font-size: 0.875rem; color: var(--st-text-color); margin-bottom: 0.25rem; }
textarea { font-family: var(--st-code-font); font-size: 0.875rem; padding: 0.5rem; resize: vertical;
  color: var(--st-text-color); background: var(--st-secondary-background-color);
  border: 1px solid #d5dae5; border-radius: 0.5rem; }
textarea:focus { outline: 2px solid var(--st-primary-color); }"""
_JS = """export default function (component) {
  const { data, parentElement: root, setStateValue } = component;
  const boxes = [...root.querySelectorAll("textarea")];
  const shown = JSON.stringify(data.values);
  if (root.__shown !== shown) {  // first mount, or the server loaded new matrices
    root.__shown = root.__sent = shown;
    boxes.forEach((b) => { b.value = data.values[b.name]; });
  }
  root.__set = setStateValue;
  if (root.__bound) return;
  root.__bound = true;
  const send = () => {
    const values = Object.fromEntries(boxes.map((b) => [b.name, b.value]));
    const json = JSON.stringify(values);
    if (json !== root.__sent) { root.__sent = json; root.__set("matrices", values); }
  };
  boxes.forEach((b) => {
    b.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
    });
    b.addEventListener("change", send);
  });
}"""
matrix_inputs = st.components.v2.component("matrix_inputs", html=_HTML, css=_CSS, js=_JS)
# a step's HTML (escaped on the server) set as innerHTML: no markdown parse, no sanitizer dropping <math>
_VIEW_JS = """export default function ({ data, parentElement: root }) {
  const box = root.querySelector("div") || root.appendChild(document.createElement("div"));
  if (box.__html !== data) { box.__html = data; box.innerHTML = data; }
}"""
step_view = st.components.v2.component("step_view", js=_VIEW_JS)
X0 = "1 2 3 -1\n1 0 0 0"
VALUES = {"X": X0, **{k: format_matrix(v) for k, v in ice1().items() if k != "X"}}


def typed() -> dict:
    """The four matrices as last sent by the component (ICE #1 until then)."""
    values = matrix_inputs(key="mx", data={"values": VALUES}, default={"matrices": VALUES},
                           on_matrices_change=lambda: None).matrices
    return {k: read_matrix(values[k], k) for k in VALUES}


def _tables(step) -> str:
    return "".join(heat_table(p.matrix, p.row_labels, p.col_labels, p.caption) for p in step.panels)


def step_html(step, number: int) -> str:
    """Heading, formula (MathML, drawn by the browser), shapes, meaning and heat tables: one element."""
    return (f'<section style="border:1px solid #d5dae5;border-radius:0.5rem;padding:0 1rem 1rem">'
            f"<h3>{number}. {escape(step.title)}</h3>{convert(step.latex, display='block')}"
            f"<p><b>Shapes:</b> {escape(step.shapes)}<br>{escape(step.meaning)}</p>"
            f'<div style="display:flex;flex-wrap:wrap;gap:1rem">{_tables(step)}</div></section>')


def draw_steps(steps, key: str, controls: bool = True, how: str = "markdown") -> None:
    """Page 1's draw_steps with each step one element, an st.markdown of its HTML (how="view": the
    step_view component; "katex": two, the text and KaTeX formula in one st.markdown, the heat tables in
    one st.html); controls: the step controls and Export popovers (without them step 1 only, as page 1
    opens)."""
    shown = step_controls(key, steps) if controls else 1
    for i, step in enumerate(steps[:shown], start=1):
        if how == "katex":
            st.markdown(f"### {i}. {step.title}\n$$\n{step.latex}\n$$\n\n**Shapes:** {step.shapes}  \n{step.meaning}")
            st.html(_tables(step))
        elif how == "view":
            step_view(key=f"{key}_view_{i}", data=step_html(step, i))
        else:  # st.html's sanitizer keeps only HTML (DOMPurify's html profile): no <math>
            st.markdown(step_html(step, i), unsafe_allow_html=True)
        for p in step.panels if controls else ():
            export_panel(p, key=f"{key}_{step.key}_{p.caption}")
