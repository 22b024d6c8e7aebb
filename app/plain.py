"""Text that quotes what someone typed, shown inside Streamlit's markdown (st.error, st.warning, ...).

Markdown would read a typed `*`, `_`, `##ing`, `$x$`, `:red[...]` or `:material/home:` as formatting,
and drops nothing but still reshapes the text; escaping every ASCII punctuation character with a
backslash (CommonMark allows it for all of them) shows the text character for character."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: str) -> str:
    """text for st.markdown and the alert elements, to be shown as typed; line breaks are kept."""
    return _PUNCTUATION.sub(r"\\\1", str(text)).replace("\n", "  \n")
