"""App-wide fixes for keyboard and screen-reader users, emitted once per run by streamlit_app.py.

- A focus ring that always shows: Streamlit's own focus style for the current page's link in the
  sidebar is the same as its "current" background, so a keyboard user could not see the focus there.
- Boxes that scroll sideways (a wide formula in presenter-size type, a matrix on a phone) become
  keyboard stops, so a keyboard user can scroll them with the arrow keys (WCAG 2.1.1; axe-core's rule
  `scrollable-region-focusable`). Streamlit gives st.latex a box that scrolls but cannot be focused; a
  small script marks each box that actually overflows with tabindex=0 and a label, and unmarks it when
  it fits again. It runs after the page changes, at most every 150 ms, reading only those boxes."""

import streamlit as st

_FOCUS_CSS = """
<style>
  a:focus-visible, button:focus-visible, summary:focus-visible, [tabindex="0"]:focus-visible {
    outline: 3px solid #1f4fbf !important; outline-offset: 2px;
  }
</style>
"""

# the boxes Streamlit lets scroll sideways without a way to reach them by keyboard
SCROLLERS = ".katex-display, [data-testid='stTable'], [data-testid='stMain'] [style*='overflow']"

_SCROLL_JS = """
<script>
(() => {
  if (window.__attentionLabScrollers) return;
  window.__attentionLabScrollers = true;
  const sel = %r;
  const mark = () => {
    for (const el of document.querySelectorAll(sel)) {
      const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
      const wide = scrolls && el.scrollWidth > el.clientWidth + 1;
      if (wide && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'region');
        el.setAttribute('aria-label', el.classList.contains('katex-display')
          ? 'formula, scrolls sideways' : 'scrolls sideways');
        el.dataset.alScroll = '1';
      } else if (!wide && el.dataset.alScroll) {
        el.removeAttribute('tabindex'); el.removeAttribute('role'); el.removeAttribute('aria-label');
        delete el.dataset.alScroll;
      }
    }
  };
  let timer = null;
  const soon = () => { if (!timer) timer = setTimeout(() => { timer = null; mark(); }, 150); };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', soon);
  soon();
})();
</script>
"""


def access_fixes() -> None:
    """The focus ring and the keyboard-scrollable boxes (in the sidebar, where they take no room)."""
    st.html(_FOCUS_CSS)
    st.sidebar.html(_SCROLL_JS % SCROLLERS, unsafe_allow_javascript=True)
