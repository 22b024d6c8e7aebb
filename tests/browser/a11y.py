"""Accessibility checks in a real browser, shared by the accessibility, keyboard and phone tests.

`axe_violations` injects axe-core (Deque's rules engine, the npm package pinned in tests/axe/, installed
by scripts/install_test_axe.sh) from its local file into the page, with no internet, and runs the
WCAG 2.0 and 2.1 level A and AA rules. `tab_to` moves the keyboard focus with Tab only, as a person
without a mouse would."""

from __future__ import annotations

from pathlib import Path

from tests.browser.harness import REPO, wait_settled

AXE_JS = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim()}))}));
}"""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations of the page as it is now: each {id, impact, help, nodes}."""
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS.relative_to(REPO)} is missing: run ./scripts/install_test_axe.sh "
                                "(./run_tests.sh runs it)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN_AXE, WCAG_AA)


def wait_ready(page, timeout: float = 180.0) -> None:
    """The page's heading is there, no spinner turns (a model page loads its model behind one, with no
    other change for many seconds) and the page stopped changing."""
    page.wait_for_selector("h1", timeout=timeout * 1000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSpinner\"]')", timeout=timeout * 1000)
    wait_settled(page, timeout=timeout)


def count_by_impact(violations: list[dict]) -> dict[str, int]:
    """How many elements fail, per impact (an element failing two rules counts twice)."""
    counts = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for v in violations:
        counts[v["impact"] or "minor"] += len(v["nodes"])
    return counts


def describe(where: str, violations: list[dict], impacts=BLOCKING) -> list[str]:
    """One line per failing element: page, rule id, impact, element (CSS target), why."""
    return [f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {n['target']}  {n['html']}  {n['summary']}"
            for v in violations if v["impact"] in impacts for n in v["nodes"]]


_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return '';
  const label = e.getAttribute('aria-label') || e.innerText || e.value || e.getAttribute('title') || '';
  return (e.tagName + ' ' + label).replace(/\\s+/g, ' ').trim().slice(0, 120);
}"""


def focused(page) -> str:
    """The element that has the keyboard focus: its tag and its label or text ('' for none)."""
    return page.evaluate(_FOCUSED)


_FOCUS_BOX = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  return {x: Math.max(0, r.x - 4), y: Math.max(0, r.y - 4), width: Math.max(1, Math.min(r.width + 8, innerWidth)),
          height: Math.max(1, Math.min(r.height + 8, innerHeight))};
}"""


def tab_to(page, matches, limit: int = 80, back: bool = False, unseen: list[str] | None = None) -> str:
    """Press Tab (Shift+Tab when `back`) until the focused element's description (see `focused`) makes
    `matches` true; fails after `limit` presses, naming the elements passed. With `unseen`, also checks
    that the focus can be seen: each element passed is photographed focused and again once the focus has
    moved on, and is appended to `unseen` when the two pictures are the same."""
    seen, before = [], None
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if unseen is not None:
            page.wait_for_timeout(200)  # Streamlit's focus styles fade in
            if before and page.screenshot(clip=before[1]) == before[2]:
                unseen.append(before[0])
        now = focused(page)
        if matches(now):
            return now
        seen.append(now)
        if unseen is not None:
            box = page.evaluate(_FOCUS_BOX)
            before = (now, box, page.screenshot(clip=box)) if box else None
    raise AssertionError(f"{limit} presses of Tab never reached the element; focus went through: {seen}")


def write_report(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
