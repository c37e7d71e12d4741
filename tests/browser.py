"""Shared by the browser tests: headless Chromium (Debian's package) driven by Playwright,
offline, every request that is not a local file blocked and recorded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from protection_workbench.publish.pdf import CHROMIUM_QUIET_ARGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def chromium() -> Iterator:
    """A headless Chromium for a module fixture (``yield from chromium()``)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_QUIET_ARGS)
        )
        yield browser
        browser.close()


@dataclass
class OpenedPage:
    context: object
    page: object
    leaving: list[str] = field(default_factory=list)  # requests that tried to leave
    console: list[str] = field(default_factory=list)  # "type: text" of console messages


def open_offline(browser, path: Path) -> OpenedPage:
    """Open a local file in a new offline context; requests other than file:// are
    aborted and recorded, console messages and page errors collected."""
    context = browser.new_context(offline=True)
    opened = OpenedPage(context, context.new_page())

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            opened.leaving.append(r.request.url)
            r.abort()

    opened.page.route("**/*", route)
    opened.page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    opened.page.on("pageerror", lambda e: opened.console.append(f"pageerror: {e}"))
    opened.page.goto(path.as_uri(), wait_until="load")
    return opened
