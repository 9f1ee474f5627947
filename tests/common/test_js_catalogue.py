"""The texts of our scripts: the JavaScript catalogue at /jsi18n/<lang>/ (common/js_catalogue.py).

That every catalogue is complete and compiled is tests/test_translations.py's to check."""

import gettext
import re

import polib
import pytest
from django.conf import settings


def plural_rule(body: str):
    """The catalogue's plural rule (a C expression, as in gettext) as a Python function."""
    expression = re.search(r"const v = (.+);\n", body)
    assert expression, "the catalogue has no plural rule of its own"
    return gettext.c2py(expression.group(1))


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_each_language_answers_a_script_to_keep(client, language):
    response = client.get(f"/jsi18n/{language}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == language
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    body = response.content.decode()
    for function in ("gettext", "ngettext", "pgettext", "npgettext", "interpolate", "get_format"):
        assert f"globals.{function} = django.{function};" in body
    # Asked again with its ETag: nothing to send.
    again = client.get(f"/jsi18n/{language}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == response["ETag"]


def test_dutch_has_the_scripts_texts_and_the_dutch_formats(client):
    body = client.get("/jsi18n/nl/").content.decode()
    assert '"Zoom in": "Inzoomen"' in body
    assert '"%(count)s taps not yet sent"' not in body  # a plural is filed under its singular
    assert re.search(r'"%\(count\)s tap not yet sent": \[\s*"[^"]+",\s*"[^"]+"\s*\]', body)
    assert '"DECIMAL_SEPARATOR": ","' in body
    rule = plural_rule(body)
    assert [rule(n) for n in (0, 1, 2, 19)] == [1, 0, 1, 1]


def test_arabic_counts_in_six_forms(client):
    rule = plural_rule(client.get("/jsi18n/ar/").content.decode())
    assert {rule(n) for n in range(200)} == {0, 1, 2, 3, 4, 5}
    assert [rule(n) for n in (0, 1, 2, 5, 19, 100)] == [0, 1, 2, 3, 4, 5]


def test_a_text_a_catalogue_lacks_stays_english_not_dutch(client, settings, tmp_path):
    # A text only the Dutch catalogue has: every other language shows its English source
    # (common.languages.fall_back_to_english), not the Dutch of the default language.
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Only Dutch has this", msgstr="Alleen het Nederlands"))
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "djangojs.mo"))
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, tmp_path]
    assert "Alleen het Nederlands" in client.get("/jsi18n/nl/").content.decode()
    for language in ("en", "ar", "fa", "ti"):
        assert "Alleen het Nederlands" not in client.get(f"/jsi18n/{language}/").content.decode()


def test_the_language_is_the_addresss_not_the_cookies(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = client.get("/jsi18n/nl/")
    assert response["Content-Language"] == "nl"
    assert "Inzoomen" in response.content.decode()
    assert response.content == client.get("/jsi18n/nl/", HTTP_ACCEPT_LANGUAGE="ar").content


@pytest.mark.parametrize("path", ["/jsi18n/de/", "/jsi18n/xx/", "/jsi18n/nl-be/", "/jsi18n/NL/"])
def test_a_language_we_do_not_offer_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_only_reading_is_allowed(client):
    assert client.post("/jsi18n/nl/").status_code == 405
