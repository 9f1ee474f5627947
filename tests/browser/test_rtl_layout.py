"""Every page type in Arabic and Farsi, on a phone and on a desktop, laid out right to left
on purpose rather than mirrored by accident.

The audit this guards: an Arabic page was 2,279 px wide on a 1,280 px desktop and 1,389 px
on a 390 px phone (10,389 px for the roster), because the skip link (`left: -999px`) and
the folded tables' headers (`left: -9999px`) were pushed off to the left, where a
right-to-left page scrolls; accent stripes and table cells stuck to the left; the counter
pressed its label against "+1" and showed "+1" as "1+"; "←" pointed away from where "back"
is; a name ending in "!" had it at its start, and "3511 AB" read "AB 3511".

Each page is measured for: a document no wider than the window; no two visible controls
whose boxes overlap (Leaflet's panes aside: markers may); accent stripes on the start side;
no cell aligned to a physical side; no bare arrow character in the text; every map drawn
left to right inside while the page around it runs right to left. The counter and the
site page are also read glyph by glyph ("+1", "+5", a name that starts and ends with a
sign, a postcode and a time range come out in their own order), and the sign-up form's
fields, the arrow of a link back and the focused skip link are looked at. Arabic is chosen
by the browser's language, Farsi by Django's language cookie; Tigrinya runs left to right.
"""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.browser.scene import DESKTOP, PHONE, Scene, new_context, pages, sign_in_as

SCREENSHOTS = {
    "map",
    "site",
    "counter",
    "my-shifts",
    "sign-up",
    "join",
    "helper-page",
    "roster",
    "check-in",
    "check-in-code",
    "site-state",
    "control-room",
    "message-new",
    "results",
    "site-host",
    "kind-edit",
    "history-import",
}

# Elements with an accent stripe: it belongs on the side where their lines start.
STRIPED = ".event-card, .shift-card, .map-site, .message, .hint, .notice, .figure, .map-notice"

MEASURE = """(striped) => {
  const rtl = document.documentElement.dir === "rtl";
  const shown = (e) => e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const controls = [...document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary")]
    .filter((e) => shown(e) && !e.closest(".leaflet-pane"))
    .map((e) => ({e, boxes: [...e.getClientRects()].filter((r) => r.width > 1 && r.height > 1)}))
    .filter((c) => c.boxes.length);
  const name = (e) =>
    (e.tagName + " " + (e.innerText || e.name || e.value || "")).trim().slice(0, 40);
  const overlaps = [];
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
      const hit = a.boxes.some((p) => b.boxes.some((q) =>
        Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 &&
        Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1));
      if (hit) overlaps.push(name(a.e) + " / " + name(b.e));
    }
  }
  const stripes = [...document.querySelectorAll(striped)].filter(shown).map((e) => {
    const s = getComputedStyle(e);
    const [start, end] = rtl ? [s.borderRightWidth, s.borderLeftWidth]
                             : [s.borderLeftWidth, s.borderRightWidth];
    return {what: e.className, start: parseFloat(start), end: parseFloat(end)};
  }).filter((s) => !(s.start >= 3 && s.end === 0));
  const cells = [...document.querySelectorAll("th, td")]
    .filter((e) => shown(e) && ["left", "right"].includes(getComputedStyle(e).textAlign))
    .map((e) => e.innerText.trim().slice(0, 30));
  const maps = [...document.querySelectorAll(".leaflet-container")].map((e) => ({
    inside: getComputedStyle(e).direction,
    around: getComputedStyle(e.parentElement).direction,
  }));
  return {
    dir: document.documentElement.getAttribute("dir"),
    lang: document.documentElement.lang,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    overlaps, stripes, cells, maps,
    arrows: (document.body.innerText.match(/[←→]/g) || []).length,
  };
}"""

# The characters of the text in `selector`, in logical order, with where each is drawn.
GLYPHS = """(selector) => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const glyphs = [];
  for (let node; (node = walker.nextNode());) {
    for (let i = 0; i < node.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      glyphs.push([node.data[i], box.left, box.top]);
    }
  }
  return glyphs;
}"""

COUNTER = """() => {
  const plus = document.querySelector(".counter-plus");
  const action = plus.querySelector(".counter-action");
  const label = plus.querySelector(".counter-label");
  const range = document.createRange();
  range.selectNodeContents(label);
  const text = range.getBoundingClientRect(), sign = action.getBoundingClientRect();
  const style = getComputedStyle(action);
  return {
    gap: Math.max(text.left - sign.right, sign.left - text.right),
    label_at_start: document.documentElement.dir === "rtl"
      ? text.right > sign.right : text.left < sign.left,
    direction: style.direction,
    isolated: style.unicodeBidi !== "normal",
  };
}"""


def reads_left_to_right(page, selector: str) -> list[str]:
    """The characters of `selector`'s text, in the order they are drawn, left to right
    (text on one line): equal to the text itself when it reads left to right."""
    glyphs = page.evaluate(GLYPHS, selector)
    assert glyphs, f"nothing to read at {selector}"
    lines_first = sorted(glyphs, key=lambda glyph: (round(glyph[2] / 8), glyph[1]))
    return [character for character, _left, _top in lines_first]


def check_page(page, name: str, language: str) -> list[str]:
    found = page.evaluate(MEASURE, STRIPED)
    expected_dir = "rtl" if language in {"ar", "fa"} else "ltr"
    problems = []
    if (found["lang"], found["dir"]) != (language, expected_dir):
        problems.append(f"<html lang={found['lang']} dir={found['dir']}>")
    if found["overflow"] > 0:
        problems.append(f"{found['overflow']} px wider than the window")
    for what in ("overlaps", "stripes", "cells"):
        if found[what]:
            problems.append(f"{what}: {found[what]}")
    if found["arrows"]:
        problems.append("an arrow character that does not turn with the page")
    for each_map in found["maps"]:
        if each_map != {"inside": "ltr", "around": expected_dir}:
            problems.append(f"map: {each_map}")
    return [f"{name}: {problem}" for problem in problems]


def page_direction(page) -> str:
    return page.evaluate("document.documentElement.dir")


def check_special(page, name: str, scene: Scene) -> list[str]:
    """What only some pages have: the counter, a name and an address that a right-to-left
    line scrambles unless isolated, a time range, typed-in fields, the arrow of a link back,
    the skip link."""
    problems = []
    if name == "counter":
        counter = page.evaluate(COUNTER)
        if not (counter["direction"] == "ltr" and counter["isolated"]):
            problems.append(f"+1 is not isolated left to right: {counter}")
        if counter["gap"] < 12 or not counter["label_at_start"]:
            problems.append(f"the label is pressed against +1: {counter}")
        if reads_left_to_right(page, ".counter-action") != ["+", "1"]:
            problems.append("+1 reads as 1+")
        if reads_left_to_right(page, ".counter-group") != ["+", "5"]:
            problems.append("+5 reads as 5+")
    if name == "site":
        drawn = "".join(reads_left_to_right(page, "h1"))
        if drawn != scene.site.name.replace(" ", ""):
            problems.append(f"the site's name is drawn as {drawn!r}")
        drawn = "".join(reads_left_to_right(page, ".address"))
        if drawn != "3511ABUtrecht":
            problems.append(f"the address is drawn as {drawn!r}")
        drawn = "".join(reads_left_to_right(page, ".shifts td bdi[dir=ltr]"))
        if drawn != "11:00–13:30":
            problems.append(f"a shift's hours are drawn as {drawn!r}")
    if name == "sign-up":
        typed = page.evaluate(
            "[...document.querySelectorAll('main input[type=email], main input[type=text]')]"
            ".map((e) => [e.type, getComputedStyle(e).direction, getComputedStyle(e).unicodeBidi])"
        )
        # An address is typed left to right; a name the way its own letters run.
        expected = {"email": ("ltr", "normal"), "text": (page_direction(page), "plaintext")}
        if not typed or any(tuple(rest) != expected[kind] for kind, *rest in typed):
            problems.append(f"fields do not follow what is typed in them: {typed}")
    if name == "shift-edit":
        arrow = page.evaluate(
            "getComputedStyle(document.querySelector('.back-link'), '::before').content"
        )
        back = '"→ "' if page_direction(page) == "rtl" else '"← "'
        if arrow != back:
            problems.append(f"the link back points {arrow}")
    if name == "home":
        page.keyboard.press("Tab")
        skip = page.evaluate(
            "(() => { const r = document.activeElement.getBoundingClientRect();"
            " return [document.activeElement.className, r.left, r.right, innerWidth]; })()"
        )
        if not (skip[0] == "skip-link" and skip[1] >= 0 and skip[2] <= skip[3] and skip[2] > 1):
            problems.append(f"the focused skip link is not on the screen: {skip}")
    return [f"{name}: {problem}" for problem in problems]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["ar", "fa"])
@pytest.mark.django_db(transaction=True)
def test_every_page_is_laid_out_right_to_left(
    browser, live_server, scene, language, viewport, screenshot_dir
):
    # A helper's personal page speaks the helper's language, whatever the browser's.
    scene.helper.user.language = language
    scene.helper.user.save()
    context, by_cookie = new_context(browser, live_server, language, viewport)
    page = context.new_page()
    problems = []
    signed_in = object()
    try:
        for name, who, path in pages(scene):
            if who is not signed_in:
                sign_in_as(page, live_server, who, language, by_cookie)
                signed_in = who
            response = page.goto(live_server.url + path)
            expected = 404 if name == "not-found" else 200
            if response.status != expected:
                problems.append(f"{name}: answered {response.status}")
                continue
            problems += check_page(page, name, language)
            problems += check_special(page, name, scene)
            if language == "ar" and viewport is PHONE and name in SCREENSHOTS:
                page.screenshot(path=screenshot_dir / f"rtl-ar-{name}.png", full_page=True)
    finally:
        context.close()
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_tigrinya_runs_left_to_right(browser, live_server, scene):
    context, by_cookie = new_context(browser, live_server, "ti", PHONE)
    page = context.new_page()
    problems = []
    try:
        for name, who, path in pages(scene):
            if name not in {"home", "map", "site", "not-found"}:
                continue
            sign_in_as(page, live_server, who, "ti", by_cookie)
            page.goto(live_server.url + path)
            problems += check_page(page, name, "ti")
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize("template", ["400.html", "500.html", "503.html"])
def test_error_pages_made_without_a_request_say_their_direction(template):
    """The pages a browser cannot be sent to on purpose (a bad request, a crash, the
    database away) set the direction as the others do."""
    for language, direction in [("ar", "rtl"), ("fa", "rtl"), ("ti", "ltr"), ("nl", "ltr")]:
        with translation.override(language):
            page = render_to_string(template, {"detail": "…"})
        assert f'<html lang="{language}" dir="{direction}">' in page
