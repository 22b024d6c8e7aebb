"""app/navigation.py: Streamlit's own menu is hidden (its list markup fails axe's `list` and `listitem`
rules) and the sidebar links every page, by group, from any page; routing still goes through
st.navigation."""

from tests.apptest import open_page

TITLES = ["Home", "1 · Self-attention, step by step", "2 · Multi-head attention & the encoder block",
          "3 · Attention in a real model", "4 · Masked language model", "5 · Sentence embeddings (sBERT)",
          "6 · Exercises", "Instructor dashboard", "Live answers (projector)"]


def test_the_sidebar_links_every_page_in_order():
    at = open_page()
    links = at.sidebar.get("page_link")
    assert [link.proto.label for link in links] == TITLES
    groups = [c.value for c in at.sidebar.caption]
    assert groups[:3] == ["**Learn**", "**Practice**", "**Teach**"]


def test_the_menu_is_on_every_page_and_routing_still_works():
    at = open_page("app/exercises_page.py")
    assert len(at.sidebar.get("page_link")) == 9
    assert at.sidebar.toggle[0].label == "Presenter mode"  # the switch stays the sidebar's first toggle
