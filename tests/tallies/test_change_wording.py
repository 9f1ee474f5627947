"""The tally correction's "Change" (a number, "Verschil") and the admin's "Change" (a link,
"Wijzigen") are two messages: the app's catalogue no longer overrides Django's."""

import re

from django.utils import translation


def admin_change_links(html: str) -> set[str]:
    return set(re.findall(r'class="changelink"[^>]*>([^<]+)</a>', html))


def correction_column(html: str) -> str:
    audit = html[html.index('id="entries"') :]
    return re.findall(r'<th scope="col" class="num">([^<]+)</th>', audit)[0]


def test_the_admin_says_wijzigen_and_the_tally_correction_verschil(organiser_client, today_site):
    admin = organiser_client.get("/admin/").content.decode()
    assert admin_change_links(admin) == {"Wijzigen"}
    assert "Verschil" not in admin

    audit = organiser_client.get(f"/sites/{today_site.pk}/tallies/")
    assert correction_column(audit.content.decode()) == "Verschil"
    assert audit.context["form"]["delta"].label == "Verschil"


def test_in_english_both_say_change(organiser_client, today_site):
    organiser_client.cookies["django_language"] = "en"
    with translation.override("en"):
        admin = organiser_client.get("/admin/").content.decode()
        audit = organiser_client.get(f"/sites/{today_site.pk}/tallies/").content.decode()
    assert admin_change_links(admin) == {"Change"}
    assert correction_column(audit) == "Change"
