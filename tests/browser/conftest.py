"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server,
with a real Celery worker process on the same PostgreSQL test database and Redis.

One browser and one worker serve the whole module (each test gets a fresh browser context, so
no cookie leaks between users). `SCREENSHOTS_DIR` (set by `make screenshots`) makes the journeys
save the key pages there; an ordinary test run writes nothing."""

import os
from pathlib import Path

import pytest

# The evaluation tests' real ko-smoke suite and small real checkpoint, as fixtures here too.
from tests.evaluation.conftest import chat_checkpoint, ko_chat, ko_smoke, tiny_checkpoint  # noqa: F401
from tests.support.workers import running_worker, wait_until_idle

from .helpers import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}
# The machine is shared and loaded: waits are generous, and every wait is an explicit condition.
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    return {
        "checkpoints": base / "checkpoints",
        "runs": base / "runs",
        "imports": base / "imports",
        "log": base / "worker.log",
        "files": base / "files",
        "benchmark_data": base / "benchmark-data",
    }


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, dirs):
    with running_worker(
        django_db_blocker,
        "browser",
        checkpoint_root=dirs["checkpoints"],
        runs_dir=dirs["runs"],
        log=dirs["log"],
        env={"BENCHMARK_DATA_ROOT": str(dirs["benchmark_data"])},
    ) as process:
        yield process


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs it (scripts/ensure_chromium.sh).")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
    # browser steps are ordinary synchronous code, so Django's async-context guard is lifted here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=WAIT_MS)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def platform(transactional_db, settings, dirs, worker, live_server, people, team_a, team_b):
    """Settings the live server (a thread of this process) shares with the worker's environment."""
    settings.CHECKPOINT_ROOT = dirs["checkpoints"]
    settings.EVAL_RUNS_DIR = dirs["runs"]
    settings.BUDGET_IMPORT_DIR = dirs["imports"]
    settings.BENCHMARK_DATA_ROOT = dirs["benchmark_data"]
    for team, name_ko in ((team_a, "팀 A"), (team_b, "팀 B")):  # readable names in the screenshots
        team.name_ko = name_ko
        team.save(update_fields=["name_ko"])
    dirs["files"].mkdir(exist_ok=True)
    yield {"url": live_server.url, "dirs": dirs, "people": people, "team_a": team_a, "team_b": team_b}
    wait_until_idle(log=dirs["log"])


class Visitor:
    """One person in their own browser context (their own cookies)."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(viewport=VIEWPORT, base_url=base_url, locale="ko-KR")
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        # The pages ask "are you sure?" before final steps (submitting scores, finalising).
        self.page.on("dialog", lambda dialog: dialog.accept())

    def log_in(self, user):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return self

    def get(self, path: str):
        """A plain request with this visitor's cookies (exports, JSON, API)."""
        return self.context.request.get(path)


@pytest.fixture
def visitors(browser, platform):
    opened = []

    def open_as(user=None) -> Visitor:
        visitor = Visitor(browser, platform["url"])
        opened.append(visitor)
        return visitor.log_in(user) if user is not None else visitor

    yield open_as
    for visitor in opened:
        visitor.context.close()


@pytest.fixture
def site(transactional_db, live_server, browser, people):
    """Signed-in browsers on a live server without a worker (`site(user)`), closed after the test."""
    opened = []

    def open_as(user) -> Visitor:
        visitor = Visitor(browser, live_server.url)
        opened.append(visitor)
        return visitor.log_in(user)

    yield open_as
    for visitor in opened:
        visitor.context.close()


@pytest.fixture
def screenshot():
    """Saves a page to SCREENSHOTS_DIR/<name>.png when `make screenshots` asks for it."""
    folder = os.environ.get("SCREENSHOTS_DIR")

    def take(page, name: str, *, full_page: bool = False, clip_height: int = 1600):
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, clip_height)} if full_page else None
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page, clip=clip)

    return take
