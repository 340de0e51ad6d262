"""The live workshop page in headless Chromium, against a real uvicorn on the test database.

A participant's phone and the projector are two browser contexts (two devices): the
projector (a facilitator's personal access token in the URL fragment) starts the vote and
shows the results; the phone joins with the code, votes with the method's controls and sees
the tally; the projector sees the connection, the answer and the tally too.

Needs Debian's chromium at /usr/bin/chromium (playwright's own browser download is not used):
skipped without it, unless REQUIRE_BROWSER=1 (CI), where a missing browser fails.
"""

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Playwright,
    ViewportSize,
    async_playwright,
    expect,
)

from backend.accounts.services import access_token_create
from backend.votes.models import BallotLine
from backend.workshops.models import Activity, Participant, Workshop
from tests.fixtures.live import AsgiServers
from tests.workshops.conftest import Room

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000
PHONE = ViewportSize(width=375, height=740)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    # DEBUG=true: static files straight from the app folders (production serves them after
    # collectstatic); everything else as in production.
    return asgi_server(DEBUG="true", WORKSHOP_RESULTS_INTERVAL_MS="50")


async def _browser(playwright: Playwright, chromium: Path) -> Browser:
    return await playwright.chromium.launch(
        executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
    )


def test_vote_on_the_phone_and_see_the_tally_on_both_screens(
    chromium: Path,
    server: str,
    room: Room,
    workshop: Workshop,
    make_activity: Callable[..., Activity],
) -> None:
    vote = make_activity(
        "vote",
        title="Quelles propositions soutenez-vous ?",
        vote={"method": "support", "items": [p.pk for p in room.proposals]},
    )
    chosen = room.proposals[1]
    token = access_token_create(user=room.facilitator, name="projecteur")[1]
    code = workshop.join_code
    console_errors: list[str] = []

    async def scenario() -> None:
        async with async_playwright() as playwright:
            browser = await _browser(playwright, chromium)
            projector = await (await browser.new_context()).new_page()
            phone = await (await browser.new_context(viewport=PHONE)).new_page()

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    console_errors.append(message.text)

            for page in (projector, phone):
                page.on("console", on_console)
                page.on("pageerror", lambda error: console_errors.append(str(error)))

            # The projector: the code in big letters, the join URL, no one connected yet.
            await projector.goto(f"{server}/live/{code}/presenter/#token={token}")
            await expect(projector.locator("#join-code")).to_have_text(code, timeout=WAIT_MS)
            await expect(projector.locator("#join-url")).to_have_text(
                re.compile(rf"/live/{code}$"), timeout=WAIT_MS
            )
            await expect(projector.locator("#connection")).to_have_text(
                "Connecté·e", timeout=WAIT_MS
            )
            assert "#token" not in projector.url  # the token left the address bar
            await expect(projector.locator("#count-connected")).to_have_text("0", timeout=WAIT_MS)

            # The phone joins with a display name: it is counted on the projector.
            await phone.goto(f"{server}/live/{code}/")
            await phone.get_by_label("Votre prénom ou pseudonyme (facultatif)").fill("Fatou")
            await phone.get_by_role("button", name="Rejoindre").click()
            await expect(phone.locator("#me")).to_have_text(
                "Vous participez en tant que Fatou.", timeout=WAIT_MS
            )
            await expect(phone.locator("#activity-title")).to_have_text(
                "En attente de la prochaine activité"
            )
            await expect(projector.locator("#count-connected")).to_have_text("1", timeout=WAIT_MS)

            # The facilitator starts the vote from the projector and shows the results.
            item = projector.locator("#activity-list li", has_text=vote.title)
            await item.get_by_role("button", name="Lancer").click()
            await expect(projector.locator("#presenter-question")).to_have_text(
                vote.title, timeout=WAIT_MS
            )
            await item.get_by_role("button", name="Montrer les résultats").click()
            await expect(item.get_by_role("button", name="Masquer les résultats")).to_be_visible(
                timeout=WAIT_MS
            )

            # The phone shows the vote with one checkbox per proposal; it votes.
            await expect(phone.locator("#activity-title")).to_have_text(vote.title, timeout=WAIT_MS)
            await phone.get_by_label(chosen.title, exact=True).check()
            await phone.get_by_role("button", name="Voter").click()
            await expect(phone.locator("#feedback")).to_have_text(
                re.compile("Votre vote est enregistré"), timeout=WAIT_MS
            )

            # The tally reaches both screens.
            for page in (phone, projector):
                row = page.locator(f'#results li[data-item="{chosen.pk}"]')
                await expect(row.locator(".bar-value")).to_have_text("1 soutien", timeout=WAIT_MS)
            await expect(projector.locator("#count-answered")).to_have_text("1", timeout=WAIT_MS)
            await expect(phone.locator("#results .results-summary")).to_have_text(
                "1 réponse · en direct"
            )

            # Stopping the vote: the phone waits for the next activity, with the final tally.
            await item.get_by_role("button", name="Arrêter").click()
            await expect(phone.locator("#activity-title")).to_have_text(
                "En attente de la prochaine activité", timeout=WAIT_MS
            )
            await expect(phone.locator("#results .results-summary")).to_have_text(
                "1 réponse · résultats définitifs", timeout=WAIT_MS
            )
            await browser.close()

    asyncio.run(scenario())

    assert console_errors == []
    fatou = Participant.objects.get(workshop=workshop, display_name="Fatou")
    lines = BallotLine.objects.filter(vote=vote.vote)
    assert [(line.item_id, line.value, line.voter_card_id) for line in lines] == [
        (chosen.pk, 1, fatou.card_id)
    ]


def test_majority_judgment_grades_survive_a_reload_of_the_page(
    chromium: Path,
    server: str,
    room: Room,
    workshop: Workshop,
    make_activity: Callable[..., Activity],
) -> None:
    """Grades and the merit profiles; the resume token kept in localStorage brings the same
    card back after a reload, with its ballot."""
    from backend.workshops.services import activity_results_show, activity_start

    vote = make_activity(
        "vote",
        title="Jugez chaque proposition",
        vote={"method": "majority_judgment", "items": [p.pk for p in room.proposals]},
    )
    activity_start(by=room.facilitator, activity=vote)
    activity_results_show(by=room.facilitator, activity=vote, visible=True)
    first, second = room.proposals[0], room.proposals[2]
    code = workshop.join_code

    async def scenario() -> None:
        async with async_playwright() as playwright:
            browser = await _browser(playwright, chromium)
            phone = await (await browser.new_context(viewport=PHONE)).new_page()
            await phone.goto(f"{server}/live/{code}/")
            await phone.get_by_role("button", name="Rejoindre").click()
            await expect(phone.locator("#activity-title")).to_have_text(vote.title, timeout=WAIT_MS)
            grades = phone.locator("fieldset.grades", has_text=first.title)
            await grades.get_by_label("Très bien").check()
            await (
                phone.locator("fieldset.grades", has_text=second.title)
                .get_by_label("À rejeter")
                .check()
            )
            await phone.get_by_role("button", name="Voter").click()
            await expect(phone.locator("#feedback")).to_have_text(
                re.compile("Votre vote est enregistré"), timeout=WAIT_MS
            )
            # The merit profile of each proposal, with its majority grade.
            graded = phone.locator(f'#results li[data-item="{first.pk}"] .mj-grade')
            await expect(graded).to_have_text("Mention majoritaire : Très bien", timeout=WAIT_MS)
            rejected = phone.locator(f'#results li[data-item="{second.pk}"] .mj-grade')
            await expect(rejected).to_have_text("Mention majoritaire : À rejeter")

            # Reload: no join form again, the same card, its grades checked again.
            await phone.reload()
            await expect(phone.locator("#activity-title")).to_have_text(vote.title, timeout=WAIT_MS)
            assert await phone.locator("#join-panel").is_hidden()
            grades = phone.locator("fieldset.grades", has_text=first.title)
            await expect(grades.get_by_label("Très bien")).to_be_checked()
            await expect(grades.get_by_label("Bien", exact=True)).not_to_be_checked()
            await browser.close()

    asyncio.run(scenario())

    assert Participant.objects.filter(workshop=workshop).count() == 1
    lines = dict(BallotLine.objects.filter(vote=vote.vote).values_list("item_id", "value"))
    assert lines == {first.pk: 1, second.pk: 6}
