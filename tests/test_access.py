"""app/access.py: the keyboard and focus script goes to the browser on a session's first run only (what it
sets up stays in the tab), and it loads the style sheet the app serves itself."""

from app.access import _JS, SCROLLERS
from tests.apptest import open_page
from tests.browser.harness import REPO


def scripts(at) -> list[str]:
    return [h.proto.body for h in at.sidebar.get("html") if "alAccess" in h.proto.body]


def test_the_script_is_sent_once_per_session():
    at = open_page()
    assert scripts(at) == [_JS % SCROLLERS]
    at.run()
    assert scripts(at) == []
    at.switch_page("app/self_attention.py").run()
    assert scripts(at) == [] and not at.exception


def test_the_style_sheet_it_loads_is_served_by_the_app():
    assert "href = 'app/static/access.css'" in _JS
    assert "outline" in (REPO / "static" / "access.css").read_text()
