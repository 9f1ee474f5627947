"""Five languages: every page in each, Tigrinya registered, English (not Dutch) where a
string is missing, each language's plurals and dates, and a person's own language for
their pages, mails and calendar feeds."""

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from accounts.mail import SEPARATOR
from events.models import Signup
from tests.conftest import on_event_day
from tests.factories import make_shift, make_signup, make_volunteer
from volunteers import reminders

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_the_site_is_offered_in_five_languages_tigrinya_written_left_to_right():
    assert LANGUAGES == ["nl", "en", "ar", "fa", "ti"]
    assert translation.get_language_info("ti")["name_local"] == "ትግርኛ"
    assert translation.get_language_info("ti")["bidi"] is False
    assert [translation.get_language_info(c)["bidi"] for c in ("ar", "fa")] == [True, True]
    assert all(translation.check_for_language(code) for code in LANGUAGES)


def _pages(site, shift, event):
    """(url, who) for each page type; who is None (anyone), a persona fixture's name."""
    return [
        (reverse("events:home"), None),
        (reverse("events:map"), None),
        (reverse("events:event_detail", args=[event.slug]), None),
        (reverse("events:site_detail", args=[site.pk]), None),
        (reverse("volunteers:shift_list") + "?language=ar", None),
        (reverse("account_login"), None),
        (reverse("account_signup"), None),
        (reverse("account_reset_password"), None),
        ("/no-such-page/", None),
        (reverse("volunteers:my_shifts"), "volunteer"),
        (reverse("volunteers:profile"), "volunteer"),
        (reverse("events:coordinate"), "coordinator"),
        (reverse("events:understaffed"), "coordinator"),
        (reverse("events:roster", args=[site.pk]), "coordinator"),
        (reverse("events:site_shifts", args=[site.pk]), "coordinator"),
        (reverse("events:site_manage", args=[site.pk]), "coordinator"),
        (reverse("events:staffing", args=[event.slug]), "coordinator"),
        (reverse("volunteers:site_appeal", args=[site.pk]), "coordinator"),
        (reverse("tallies:site_counter", args=[site.pk]), "coordinator"),
        (reverse("tallies:site_tally_audit", args=[site.pk]), "coordinator"),
        (reverse("locations:list"), "organiser"),
        (reverse("locations:create"), "organiser"),
        (reverse("events:manage_index"), "organiser"),
        (reverse("events:edition_overview", args=[event.slug]), "organiser"),
        (reverse("events:review_queue", args=[event.slug]), "organiser"),
        (reverse("tallies:dashboard_index"), "organiser"),
        (reverse("tallies:dashboard", args=[event.slug]), "organiser"),
        (reverse("tallies:impact_report", args=[event.slug]), "organiser"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_answers_in_every_language(
    client, language, site, shift, event, volunteer, coordinator, organiser
):
    site.languages_needed = ["ar", "ti"]
    site.save()
    make_signup(shift, volunteer.volunteer)
    people = {"volunteer": volunteer, "coordinator": coordinator, "organiser": organiser}
    direction = "rtl" if language in ("ar", "fa") else "ltr"
    for url, who in _pages(site, shift, event):
        client.logout()
        if who:
            client.force_login(people[who])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url)
        expected = 404 if url == "/no-such-page/" else 200
        assert response.status_code == expected, (language, url, response.status_code)
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, (language, url)


@pytest.mark.django_db
def test_the_language_switcher_names_each_language_in_itself(client):
    html = client.get(reverse("events:home")).content.decode()
    for name in ("English", "العربيّة", "فارسی", "ትግርኛ"):
        assert name in html
    response = client.post(reverse("set_language"), {"language": "ti", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").content.decode().startswith("<!DOCTYPE html>")
    assert '<html lang="ti" dir="ltr">' in client.get("/").content.decode()


def _without(language: str, msgid: str):
    """Take `msgid` out of the language's loaded catalogue; give back a function that
    puts it back."""
    catalogue = trans_real.translation(language)._catalog
    removed = [(part, part.pop(msgid)) for part in catalogue._catalogs if msgid in part]
    assert removed, f"{msgid!r} is not in the {language} catalogue"

    def restore():
        for part, value in removed:
            part[msgid] = value

    return restore


@pytest.mark.parametrize("language", ["ar", "fa", "ti"])
def test_a_string_missing_from_a_catalogue_shows_in_english_not_in_dutch(language):
    msgid = "Upcoming action days"
    with translation.override("nl"):
        assert translation.gettext(msgid) == "Komende actiedagen"
    restore = _without(language, msgid)
    try:
        with translation.override(language):
            assert translation.gettext(msgid) == msgid
    finally:
        restore()
    with translation.override(language):
        assert translation.gettext(msgid) not in (msgid, "Komende actiedagen")


def test_tigrinya_dates_have_tigrinya_month_names_not_dutch_ones():
    import datetime

    day = datetime.date(2027, 6, 20)
    template = Template('{{ day|date:"l j F Y" }}')
    with translation.override("ti"):
        text = template.render(Context({"day": day}))
    assert text == "ሰንበት 20 ሰነ 2027"
    with translation.override("fa"):
        persian = template.render(Context({"day": day}))
    # Gregorian, Western digits: the same policy as the scripts (README, "Languages").
    assert "2027" in persian and "20" in persian and not any("۰" <= c <= "۹" for c in persian)


def test_each_language_has_its_own_plural_forms():
    singular, plural = "%(count)d site approved.", "%(count)d sites approved."
    with translation.override("ar"):
        forms = {n: translation.ngettext(singular, plural, n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(set(forms.values())) == 6, forms
    # Farsi and Tigrinya: one form for 0 and 1, another from 2 (a Farsi noun after a
    # number does not change, so the texts may well be the same).
    for language in ("fa", "ti"):
        rule = trans_real.translation(language).plural
        assert [rule(n) for n in (0, 1, 2, 19)] == [0, 0, 1, 1], language
    with translation.override("nl"):
        assert translation.ngettext(singular, plural, 0) == "%(count)d locaties goedgekeurd."


# --- A person's own language -----------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_asks_the_language_with_the_browsers_as_default(client):
    html = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert '<option value="fa" selected>فارسی</option>' in html
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Parisa",
            "last_name": "",
            "language": "ti",
            "email": "parisa@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(email="parisa@example.org").language == "ti"


@pytest.mark.django_db
def test_logging_in_shows_the_site_in_the_persons_language_until_they_switch(client, volunteer):
    volunteer.language = "fa"
    volunteer.save()
    response = client.post(
        reverse("account_login"),
        {"login": "volunteer@example.org", "password": "pw-for-tests-1"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    page = client.get(reverse("events:home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="fa" dir="rtl">' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()
    volunteer.refresh_from_db()
    assert volunteer.language == "fa"  # the switcher changes this device, not the mails


@pytest.mark.django_db
def test_the_profile_changes_the_persons_language(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        reverse("volunteers:profile"),
        {"first_name": "Vera", "last_name": "", "phone": "", "language": "ar"},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "ar"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="ar" dir="rtl">' in page


def _only_farsi(message):
    with translation.override("fa"):
        dear = translation.gettext("Dear %(name)s,") % {"name": ""}
    assert SEPARATOR not in message.body
    assert "Beste" not in message.body and "Dear" not in message.body
    return dear.strip(" ,،") in message.body


@pytest.mark.django_db
def test_a_farsi_volunteer_gets_reminders_and_confirmations_in_farsi_only(site, shift):
    person = make_volunteer("parisa@example.org", first_name="Parisa", language="fa")
    make_signup(shift, person)
    assert reminders.reminders_send(now=on_event_day(11, 5, days=-2)).sent == 1
    reminder = mail.outbox[-1]
    assert reminder.to == ["parisa@example.org"]
    assert _only_farsi(reminder)
    assert "Herinnering" not in reminder.subject
    assert any("\u0600" <= c <= "\u06ff" for c in reminder.subject)

    # Promoted from the waitlist: the confirmation, in Farsi alone.
    from events.services.signups import signup_create, signup_release

    full = make_shift(site, capacity=1)
    first = make_volunteer("first@example.org", first_name="Eerste")
    signup_create(shift=full, volunteer=first)
    waiting = signup_create(shift=full, volunteer=person)
    assert waiting.status == Signup.Status.WAITLISTED
    mail.outbox.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, robust=False: f())
        signup_release(shift=full, volunteer=first)
    to_parisa = [m for m in mail.outbox if m.to == ["parisa@example.org"]]
    assert len(to_parisa) == 1 and _only_farsi(to_parisa[0])


@pytest.mark.django_db
def test_without_a_chosen_language_a_mail_is_dutch_and_english(site, shift):
    person = make_volunteer("noor@example.org", first_name="Noor")
    make_signup(shift, person)
    reminders.reminders_send(now=on_event_day(11, 5, days=-2))
    body = mail.outbox[-1].body
    assert "Beste Noor" in body and "Dear Noor" in body and SEPARATOR in body


@pytest.mark.django_db
def test_a_personal_calendar_feed_speaks_the_persons_language_by_default(client, shift):
    person = make_volunteer("amanuel@example.org", first_name="Amanuel", language="ti")
    make_signup(shift, person)
    url = reverse("calendar:volunteer_feed", kwargs={"token": person.calendar_token})
    feed = client.get(url).content
    with translation.override("ti"):
        role = str(shift.get_role_display())
    assert role.encode() in feed
    english = client.get(url + "?lang=en").content
    assert b"Reception" in english and role.encode() not in english


# --- Languages sites need --------------------------------------------------------------


@pytest.mark.django_db
def test_the_shift_search_filters_by_a_language_the_site_needs(client, site, shift):
    site.languages_needed = ["ti"]
    site.save()
    url = reverse("volunteers:shift_list")
    assert client.get(url, {"language": "ti"}).context["page"].paginator.count == 1
    assert client.get(url, {"language": "ar"}).context["page"].paginator.count == 0
    assert client.get(url).context["page"].paginator.count == 1


@pytest.mark.django_db
def test_a_shift_without_a_confirmed_speaker_of_a_needed_language_is_shown_so(
    coordinator_client, site, shift, event
):
    site.languages_needed = ["ar"]
    site.save()
    make_signup(shift, make_volunteer())
    roster = coordinator_client.get(reverse("events:roster", args=[site.pk])).content.decode()
    staffing = coordinator_client.get(reverse("events:staffing", args=[event.slug]))
    assert "language-gap" in roster and "Arabisch" in roster
    assert "language-gap" in staffing.content.decode()

    speaker = make_volunteer()
    speaker.languages = ["ar", "nl"]
    speaker.save()
    make_signup(shift, speaker)
    roster = coordinator_client.get(reverse("events:roster", args=[site.pk])).content.decode()
    assert "language-gap" not in roster


@pytest.mark.django_db
def test_an_appeal_can_go_to_the_volunteers_who_speak_a_needed_language(
    coordinator_client, site, shift, branch
):
    site.languages_needed = ["ar"]
    site.save()
    speakers, others = [], []
    for n in range(2):
        speaker = make_volunteer(f"ar{n}@example.org", language="ar")
        speaker.languages, speaker.home_branch = ["ar"], branch
        speaker.save()
        speakers.append(speaker)
        other = make_volunteer(f"nl{n}@example.org")
        other.languages, other.home_branch = ["nl"], branch
        other.save()
        others.append(other)
    url = reverse("volunteers:site_appeal", args=[site.pk])
    page = coordinator_client.get(url).content.decode()
    assert "(2 vrijwilligers)" in page
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, robust=False: f())
        response = coordinator_client.post(url, {"message": "", "language": "ar"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ar0@example.org", "ar1@example.org"]
    with translation.override("ar"):
        needs = translation.gettext(
            "The site needs volunteers who speak %(language)s, and you do."
        ) % {"language": translation.gettext("Arabic")}
    assert needs in mail.outbox[0].body
    assert site.staffing_appeals.get().language == "ar"


@pytest.mark.django_db
def test_an_appeal_for_a_language_the_site_does_not_need_is_refused(
    coordinator_client, coordinator, site, shift, branch
):
    from volunteers.appeals import LanguageNotNeeded, staffing_appeal_send

    site.languages_needed = ["ar"]
    site.save()
    speaker = make_volunteer("ti@example.org")
    speaker.languages, speaker.home_branch = ["ti"], branch
    speaker.save()
    url = reverse("volunteers:site_appeal", args=[site.pk])
    response = coordinator_client.post(url, {"message": "", "language": "ti"})
    assert response.status_code == 200 and "language" in response.context["form"].errors
    with pytest.raises(LanguageNotNeeded):
        staffing_appeal_send(site=site, by=coordinator, language="ti")
    assert not site.staffing_appeals.exists() and mail.outbox == []


# --- Found by attacking it -------------------------------------------------------------


@pytest.mark.django_db
def test_allauths_mails_are_written_in_the_persons_language(client, volunteer):
    volunteer.language = "fa"
    volunteer.save()
    client.post(
        reverse("account_reset_password"),
        {"email": "volunteer@example.org"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert len(mail.outbox) == 1
    assert any("\u0600" <= c <= "\u06ff" for c in mail.outbox[0].body)
    assert "wachtwoord" not in mail.outbox[0].body.lower()


@pytest.mark.django_db
def test_a_helpers_own_language_counts_as_spoken_on_the_shift(site, shift):
    from events.staffing import uncovered_languages

    site.languages_needed = ["ar"]
    site.save()
    make_signup(shift, make_volunteer(language="ar"))  # lists no languages spoken
    shift.site = site
    assert uncovered_languages([shift]) == {shift.pk: []}


@pytest.mark.django_db
def test_a_personal_feed_link_carries_no_language_so_the_feed_follows_the_person(client, volunteer):
    volunteer.language = "ar"
    volunteer.save()
    client.force_login(volunteer)
    page = client.get(reverse("volunteers:my_shifts"), HTTP_ACCEPT_LANGUAGE="en").content
    token = volunteer.volunteer.calendar_token
    assert f'/calendar/volunteer/{token}.ics"'.encode() in page
    assert f"/calendar/volunteer/{token}.ics?lang".encode() not in page


@pytest.mark.django_db
def test_the_admin_asks_an_address_of_a_new_account_and_hides_personal_link_tokens(
    organiser_client, profile
):
    from accounts.models import User

    response = organiser_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
    )
    assert response.status_code == 200 and "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(email=None).exists()
    profile.link_token = "x" * 43
    profile.save()
    change = organiser_client.get(reverse("admin:accounts_volunteer_change", args=[profile.pk]))
    assert change.status_code == 200 and "x" * 43 not in change.content.decode()
    user_page = organiser_client.get(reverse("admin:accounts_user_change", args=[profile.user.pk]))
    assert '<option value="ti">ትግርኛ</option>' in user_page.content.decode()
