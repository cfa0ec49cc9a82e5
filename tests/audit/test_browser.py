"""The HTML audit report in a real browser: headless Chromium, driven by Playwright.

Debian's chromium is the browser (Playwright downloads none). In CI a missing
browser or Playwright fails the test; elsewhere it skips. A screenshot of the
page goes to tmp_path, and to $TAMAPY_ARTIFACTS when that is set.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tamapy.audit.html import SECTIONS, render_html
from tests.tools import require_tool, unavailable

SAMPLE = Path(__file__).parent / "fixtures" / "sample_audit.json"


def _sync_playwright() -> Any:
    """Playwright's entry point; fails in CI (CI=true) when it is missing, skips elsewhere."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright


Opened = tuple[Any, str, list[str]]  # the page, its file:// URL, every URL it asked for


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module's tests."""
    chromium = require_tool("chromium", "chromium")
    with _sync_playwright()() as playwright:
        # No host resolves either, should a request ever get past the route.
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--host-resolver-rules=MAP * ~NOTFOUND"]
        )
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Callable[[str], Opened]]:
    """Opens HTML from a file in a fresh context, refusing and recording every other request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def open_html(html: str) -> Opened:
        document = tmp_path / "audit.html"
        document.write_text(html, encoding="utf-8")
        url = document.as_uri()
        requests: list[str] = []

        def only_the_document(route: Any) -> None:
            if route.request.url == url:
                route.continue_()
            else:
                route.abort()

        tab = context.new_page()
        tab.route("**/*", only_the_document)
        tab.on("request", lambda request: requests.append(request.url))
        tab.goto(url)
        tab.wait_for_load_state("networkidle")
        return tab, url, requests

    yield open_html
    context.close()


@pytest.fixture
def page(open_page: Callable[[str], Opened]) -> Opened:
    """The rendered sample audit, open in the browser."""
    return open_page(render_html(json.loads(SAMPLE.read_text())))


def test_the_verdict_the_sections_and_the_pictures_are_shown(
    page: Opened,
) -> None:
    tab, _, _ = page
    status = tab.locator("#verdict .status")
    assert status.is_visible() and status.inner_text() == "✗ Not shippable"
    assert tab.locator("#verdict .reasons li").count() == 3
    headings = tab.locator("h2")
    assert headings.all_inner_texts() == [h for _, h in SECTIONS]
    for i in range(headings.count()):
        assert headings.nth(i).is_visible()
    for chart in ["chart-obligations", "chart-seconds", "chart-size", "call-graph"]:
        svg = tab.locator(f"svg#{chart}")
        box = svg.bounding_box()
        assert svg.is_visible() and box is not None, chart
        assert box["width"] > 100 and box["height"] > 50, (chart, box)


def test_no_request_leaves_the_page(page: Opened) -> None:
    tab, url, requests = page
    assert requests == [url]
    assert tab.evaluate("performance.getEntriesByType('resource').length") == 0


def test_the_request_check_sees_a_page_that_loads_something(
    open_page: Callable[[str], Opened],
) -> None:
    """The control: the same check catches an image, a style and a font asked for."""
    html = (
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://example.invalid/s.css">'
        "<style>@font-face { font-family: f; src: url(//example.invalid/f.woff2); }"
        " body { font-family: f; }</style></head>"
        '<body>text<img src="http://example.invalid/i.png" alt=""></body></html>'
    )
    _, url, requests = open_page(html)
    assert requests[0] == url
    assert {"https://example.invalid/s.css", "http://example.invalid/i.png"} <= set(requests)


def test_the_page_prints_on_white_with_a_page_per_section(
    page: Opened,
) -> None:
    tab, _, _ = page
    tab.emulate_media(media="print")
    style = "([s, p]) => getComputedStyle(document.querySelector(s))[p]"
    assert tab.evaluate(style, ["body", "backgroundColor"]) == "rgb(255, 255, 255)"
    assert tab.evaluate(style, ["#verdict", "backgroundImage"]) == "none"
    assert tab.evaluate(style, ["#verdict", "backgroundColor"]) == "rgba(0, 0, 0, 0)"
    for sid, _ in SECTIONS[1:]:
        assert tab.evaluate(style, [f"#{sid}", "breakBefore"]) == "page", sid
    assert tab.evaluate(style, ["nav", "display"]) == "none"


def test_a_screenshot_is_kept(page: Opened, tmp_path: Path) -> None:
    tab, _, _ = page
    shot = tmp_path / "audit.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    artifacts = os.environ.get("TAMAPY_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / "audit.png")
