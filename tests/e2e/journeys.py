"""What the three first-hour journeys (a broker, an editor, a moderator) do at every page:
check it with axe-core and, when SCREENSHOT_DIR is set (`make screenshot` sets it to
docs/screenshots), photograph it on a desktop and on a phone. Without SCREENSHOT_DIR nothing
is written, so a test run never dirties the tree."""

import os
from collections.abc import Mapping
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def screenshot_dir() -> Path | None:
    """The folder SCREENSHOT_DIR names, created if need be; None when it is not set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def assert_accessible(page, *, allow: Mapping[str, str] | None = None) -> None:
    """No serious or critical axe-core violations on the page as it is now. `allow` maps a
    rule to the one element (as axe names it) it may fail on: only for markup of Django's
    admin that we cannot change, with a comment at the call saying why."""
    allow = allow or {}
    violations = []
    for violation in Axe().run(page).response["violations"]:
        nodes = [
            node for node in violation["nodes"] if node["target"] != [allow.get(violation["id"])]
        ]
        if nodes and violation["impact"] in BLOCKING_IMPACTS:
            violations.append({**violation, "nodes": nodes})
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


class Journey:
    """Numbers a journey's steps: `step(page, "sign-in")` checks the page, then saves
    `<journey>-<nn>-sign-in-desktop.png` and `-phone.png` when SCREENSHOT_DIR is set."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps: list[str] = []

    def step(self, page, name: str, *, allow: Mapping[str, str] | None = None) -> None:
        self.steps.append(name)
        page.wait_for_load_state("load")
        assert_accessible(page, allow=allow)
        folder = screenshot_dir()
        if folder is None:
            return
        stem = f"{self.name}-{len(self.steps):02}-{name}"
        viewport = page.viewport_size
        for size, frame in {"desktop": DESKTOP, "phone": PHONE}.items():
            page.set_viewport_size(frame)
            page.screenshot(path=folder / f"{stem}-{size}.png", full_page=True)
        page.set_viewport_size(viewport)
