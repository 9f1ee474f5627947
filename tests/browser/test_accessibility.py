"""An accessibility audit of every page type, as each role that can open it sees it, in
Dutch and English, on a phone and on a desktop: axe-core's WCAG 2.0, 2.1 and 2.2 level A and
AA rules in Chromium, failing on any violation.

axe-core is vendored (tests/browser/vendor/, see its VERSIONS) so the audit needs no
network. One browser context per role, language and screen; the pages and the scene are the
right-to-left test's (tests/browser/scene.py). The run prints how many scans it made.
"""

from pathlib import Path

import pytest

from tests.browser.conftest import AXE_SCANS
from tests.browser.scene import DESKTOP, PHONE, new_context, pages, sign_in_as

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

ROLES = ("public", "volunteer", "coordinator", "organiser")

# A page opens for the role that `pages()` names and every role above it, except these.
ONLY = {
    # allauth sends a signed-in person on from the log-in and sign-up forms.
    "log-in": {"public"},
    "sign-up": {"public"},
    # Giving back a shift is for the one who has it; so is checking in on it.
    "release": {"volunteer"},
    "check-in": {"volunteer"},
}
ALSO = {
    # A coordinator sees the staffing of, registers and cancels the sites of their branch.
    "staffing": {"coordinator"},
    "site-register": {"coordinator"},
    "site-cancel": {"coordinator"},
}

# Pages not audited, and why.
NOT_AUDITED = {
    # Swagger UI, third-party markup and script (drf-spectacular loads it from a CDN,
    # which the tests cannot reach): not our page to fix.
    "api-docs": "/api/docs/",
}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + n.failureSummary),
  }));
}"""


def who_opens(name: str, least: str) -> set[str]:
    """The roles that can open page `name`, whose least role is `least`."""
    if name in ONLY:
        return ONLY[name]
    return set(ROLES[ROLES.index(least) :]) | ALSO.get(name, set())


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.django_db(transaction=True)
def test_every_page_meets_wcag_a_and_aa(request, browser, live_server, scene, language, viewport):
    users = {
        "public": None,
        "volunteer": scene.volunteer,
        "coordinator": scene.coordinator,
        "organiser": scene.organiser,
    }
    role_of = {user: role for role, user in users.items()}
    every_page = pages(scene)
    assert not {path for _name, _least, path in every_page} & set(NOT_AUDITED.values())
    problems = []
    scanned = 0
    for role, user in users.items():
        context, by_cookie = new_context(browser, live_server, language, viewport)
        context.add_init_script(AXE)
        page = context.new_page()
        try:
            sign_in_as(page, live_server, user, language, by_cookie)
            for name, least, path in every_page:
                if role not in who_opens(name, role_of[least]):
                    continue
                # Audited at "load": the pages' scripts (deferred) have drawn their maps,
                # counters and dashboards from what the page holds by then.
                response = page.goto(live_server.url + path)
                expected = 404 if name == "not-found" else 200
                if response.status != expected or page.url != live_server.url + path:
                    problems.append(f"{name} as {role}: answered {response.status} at {page.url}")
                    continue
                for violation in page.evaluate(RUN_AXE, WCAG_A_AA):
                    problems.append(
                        f"{name} as {role}: {violation['id']} ({violation['help']}): "
                        + " | ".join(violation["nodes"])
                    )
                scanned += 1
        finally:
            context.close()
    request.config.stash[AXE_SCANS] = request.config.stash.get(AXE_SCANS, 0) + scanned
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_pages_left_out_are_still_there(client):
    """An exception that outlived its page is to be removed."""
    for path in NOT_AUDITED.values():
        assert client.get(path).status_code == 200
