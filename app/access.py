"""App-wide fixes for keyboard and screen-reader users: one small script, emitted by streamlit_app.py on a
session's first run only (Streamlit resends every element on every run; what the script sets up stays
in the browser tab after its element is gone).

- It loads static/access.css (served by Streamlit at app/static/): a focus ring that always shows
  (Streamlit's own focus style on the current page's menu link is its "current" background, so a
  keyboard user could not see the focus there), and menu titles that wrap rather than being cut short.
- Boxes that scroll sideways (a wide formula in presenter-size type, a matrix on a phone) become keyboard
  stops, so a keyboard user can scroll them with the arrow keys (WCAG 2.1.1; axe-core's rule
  `scrollable-region-focusable`). Streamlit gives st.latex a box that scrolls but cannot be focused; the
  script marks each box that actually overflows with tabindex=0, role=region and a label, and unmarks it
  when it fits again. It runs after the page changes, at most every 150 ms, reading only those boxes."""

import streamlit as st

# the boxes Streamlit lets scroll sideways without a way to reach them by keyboard
SCROLLERS = ".katex-display,[data-testid=stTable],[data-testid=stMain] [style*=overflow]"

_JS = """<script>(() => {
if (window.alAccess) return; window.alAccess = 1;
const css = document.createElement('link'); css.rel = 'stylesheet'; css.href = 'app/static/access.css';
document.head.append(css);
const mark = () => { for (const e of document.querySelectorAll('%s')) {
  const wide = ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1;
  if (wide && !e.hasAttribute('tabindex')) {
    e.tabIndex = 0; e.dataset.alScroll = 1; e.setAttribute('role', 'region');
    e.setAttribute('aria-label', e.matches('.katex-display') ? 'formula, scrolls sideways' : 'scrolls sideways');
  } else if (!wide && e.dataset.alScroll) {
    for (const a of ['tabindex', 'role', 'aria-label', 'data-al-scroll']) e.removeAttribute(a);
  } } };
let t = 0; const soon = () => { t = t || setTimeout(() => { t = 0; mark(); }, 150); };
new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
addEventListener('resize', soon); soon();
})()</script>"""


def access_fixes() -> None:
    """The script, in the sidebar where it takes no room, on the session's first run."""
    if not st.session_state.get("access_sent"):
        st.session_state.access_sent = True
        st.sidebar.html(_JS % SCROLLERS, unsafe_allow_javascript=True)
