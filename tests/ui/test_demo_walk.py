"""The demo as a new user walks it (issue 12, "What it must show"), in Debian's Chromium: from what
`make demo` prints (the training installation, each user's one-time password, the `frt deploy
run` command) to an Alert adjudicated and the public page updated.

Each demo user signs in with the printed one-time password and is made to choose their own
(item 13). On the way it checks what went wrong for the first new user: the command team's home
pages list the Deployment (item 3), home pages say what is waiting (item 10), one run of the
75-frame clip is counted once and charted (items 4, 12), labels read as people write them
(item 8), and the public page publishes the Threshold actually used, the Alert with its outcome
and the installation's own contact (item 5).

Screenshots of the pages it passes go to `FRT_SCREENSHOTS` when that is set (to look at them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from frt.lfr.models import CameraCounters
from frt.lfr.records import counter_totals
from tests.conftest import ON_POSTGRES

pytestmark = [
    pytest.mark.ui,
    pytest.mark.req("GOV-14", "LIVE-04", "LIVE-05", "LIVE-06", "LIVE-08"),
    pytest.mark.skipif(ON_POSTGRES, reason="the demo is a training installation: SQLite only"),
]

SHOTS = os.environ.get("FRT_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def demo(store, settings, monkeypatch, capsys):
    """`make demo`: the training installation and its data, and what it printed."""
    from frt.cli import _seed_demo

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    scenario = _seed_demo(store, settings)
    printed = capsys.readouterr()
    return scenario, printed.out + printed.err


def first_sign_in(page, base: str, username: str, one_time: str) -> None:
    """Sign in with the printed one-time password; the first page asks for a password of one's
    own (item 13) and then goes home."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(one_time)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/account/password")
    page.get_by_label("Current password").fill(one_time)
    mine = f"walking the demo as {username}, for the first time"
    page.get_by_label(re.compile("^New password")).first.fill(mine)
    page.get_by_label("New password again").fill(mine)
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    page.wait_for_url(f"{base}/")


def deploy_run(settings, dep_id: str, video: Path) -> subprocess.CompletedProcess:
    """The command `make demo` printed, as the user runs it in another terminal."""
    env = dict(
        os.environ, FRT_DATA_DIR=str(settings.data_dir), FRT_DATABASE_URL=settings.database_url
    )
    return subprocess.run(
        [sys.executable, "-m", "frt.cli", "deploy", "run", dep_id, "--camera", str(video)]
        + ["--workers", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def home_panel(page, title: str) -> str:
    return page.locator("section", has=page.get_by_role("heading", name=title)).inner_text()


def test_a_new_user_walks_the_demo_from_its_set_up_to_the_public_page(
    browser, page, live_server, store, settings, demo
):
    base = live_server
    scenario, printed = demo
    dep_id, passwords = scenario.deployment_id, scenario.password
    assert "TRAINING INSTALLATION" in printed
    assert f"frt deploy run {dep_id} --camera" in re.sub(r"\s+", " ", printed)

    # The applicant's home page lists their own Applications and what each waits for (item 10).
    first_sign_in(page, base, "applicant", passwords["applicant"])
    assert page.get_by_text("TRAINING INSTALLATION").first.is_visible()
    mine = home_panel(page, "Your LFR applications")
    assert scenario.authorised_application in mine and "authorised" in mine
    shot(page, "01-applicant-home")

    # The command team's home pages list the Deployment they command (item 3).
    for who, title in (("gold", "Gold"), ("bronze", "Bronze")):
        first_sign_in(page, base, who, passwords[who])
        panel = home_panel(page, f"Deployments you command ({title})")
        assert scenario.authorised_application in panel, panel
        assert "No Deployments" not in panel
    first_sign_in(page, base, "silver", passwords["silver"])
    panel = home_panel(page, "Deployments you command (Silver)")
    assert scenario.authorised_application in panel and "Planned" in panel
    shot(page, "02-silver-home")

    # Silver opens the Deployment from the home page and starts it.
    page.get_by_role("link", name=re.compile(scenario.authorised_application)).first.click()
    page.wait_for_url(f"{base}/lfr/deployments/{dep_id}")
    page.get_by_label("Change state").select_option("active")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#dep-state").inner_text() == "Active"
    assert "next Silver review" in page.content()
    assert "['" not in page.content() and "[8, 11]" not in page.content()  # labels (item 8)
    shot(page, "03-deployment-active")

    # The user runs the printed command: it shows the Threshold and counts the clip once.
    ran = deploy_run(settings, dep_id, scenario.video)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "Threshold:" in ran.stdout and "75 frames" in ran.stdout, ran.stdout
    with store.session() as db:
        totals = counter_totals(db, dep_id)
        cameras = db.scalars(select(CameraCounters).where(CameraCounters.deployment_id == dep_id))
        assert len(list(cameras)) == 1
    assert totals["frames"] == 75  # once, not 150 (item 4)
    assert totals["alerts"] >= 1, totals

    # The Operator's home page says an Alert awaits assessment (item 10); they assess it.
    first_sign_in(page, base, "operator", passwords["operator"])
    waiting = home_panel(page, "Alerts to adjudicate")
    assert re.search(r"\d+ Alerts? awaiting assessment", waiting), waiting
    page.goto(f"{base}/live/deployments/{dep_id}")
    card = page.locator("article.live-alert").first
    card.wait_for()
    alert_id = card.get_attribute("data-alert")
    shot(page, "04-operator-console")
    card.get_by_label("Assessment").select_option("possible_match")
    card.get_by_label("Support an Engagement").select_option("yes")
    card.get_by_role("button", name="Record assessment").click()
    page.locator(f"#alert-{alert_id} [data-assessment]").wait_for()

    # The Engagement Officer engages and records the outcome: the Alert is adjudicated.
    first_sign_in(page, base, "engagement", passwords["engagement"])
    page.goto(f"{base}/live/handheld/{dep_id}")
    mine = page.locator(f"#alert-{alert_id}")
    mine.get_by_label("Your decision").select_option("engage")
    mine.get_by_label("Outcome").select_option("confirmed_true")
    mine.get_by_label("Police action").select_option("arrest")
    mine.get_by_role("button", name="Record decision").click()
    page.locator(f"#alert-{alert_id} [data-engagement]").wait_for()

    # Silver's metrics page: the counts the run printed, charted; then the Deployment ends.
    page.context.clear_cookies()
    first_sign_in_again(page, base, "silver")
    page.goto(f"{base}/live/deployments/{dep_id}/metrics")
    assert page.locator('[data-metric="frames"]').inner_text() == "75"
    faces = page.locator('[data-metric="faces_detected"]').inner_text()
    assert faces == str(totals["faces_detected"])
    assert page.locator('[data-metric="true_confirmed"]').inner_text() == "1"
    assert page.locator('[data-metric="state"]').inner_text() == "Active"
    for chart in ("counts", "alerts", "recognition"):
        assert page.locator(f'[data-chart="{chart}"] svg').is_visible()
    shot(page, "05-metrics")
    page.goto(f"{base}/lfr/deployments/{dep_id}")
    page.get_by_label("Change state").select_option("ended")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#dep-state").inner_text() == "Ended"
    assert "next Silver review" not in page.content()  # an ended Deployment has none (item 10)

    # Gold prepares and submits the cancellation report; the AO reads and acknowledges it.
    first_sign_in_again(page, base, "gold")
    panel = home_panel(page, "Deployments you command (Gold)")
    assert "Ended" in panel and "report" in panel.lower(), panel  # what waits for Gold
    shot(page, "06-gold-home")
    page.get_by_role("link", name=re.compile("cancellation report due")).click()
    page.get_by_role("button", name="Prepare cancellation report").click()
    page.get_by_label("Gold's qualitative evaluation").fill("The demo ran; safeguards held")
    page.get_by_label("Submit to the AO now").check()
    page.get_by_role("button", name="Save report").click()
    first_sign_in(page, base, "ao", passwords["ao"])
    to_read = home_panel(page, "LFR applications to decide, reports to read")
    assert "cancellation report" in to_read.lower(), to_read
    shot(page, "07-ao-home")
    page.get_by_role("link", name=re.compile("Cancellation report for authority")).click()
    assert page.url.endswith("#report") and "The demo ran; safeguards held" in page.content()
    shot(page, "07b-ao-reads-the-report")
    page.goto(f"{base}/")
    page.get_by_role("button", name="Acknowledge").first.click()
    page.wait_for_url(f"{base}/")
    assert "Cancellation report for authority" not in home_panel(
        page, "LFR applications to decide, reports to read"
    )

    # The public page (no login): the Threshold actually used, the Alert's outcome, the contact.
    page.context.clear_cookies()
    page.goto(f"{base}/public/")
    row = page.get_by_role("row", name=re.compile("Town centre"))
    assert row.is_visible()
    shot(page, "08-public")
    used = row.locator(".threshold-used").inner_text()
    assert re.match(r"0\.\d{3} \(0\.64\)", used), used
    assert row.locator(".alerts").inner_text() == str(totals["alerts"])
    assert row.locator(".true-alerts").inner_text().startswith("1 /")
    no_outcome = int(row.locator(".no-outcome").inner_text())
    assert no_outcome == totals["alerts"] - 1  # the others were never adjudicated
    contact = page.locator("#public-contact").inner_text()
    assert "training installation" in contact and "met.police" not in contact.lower()


def first_sign_in_again(page, base: str, username: str) -> None:
    """A later sign-in with the password the user chose at their first."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"walking the demo as {username}, for the first time")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
