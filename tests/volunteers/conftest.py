"""Fixtures for helpers without an e-mail address: a site's invitation, helpers, and
clients for the coordinator of another branch."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import make_user
from volunteers.helpers import HelperDetails, helper_add, new_form_key
from volunteers.invitations import invitation_create


@pytest.fixture
def fresh_limits():
    """The rate limits of the public pages count in the default cache, per client address
    (127.0.0.1 for every test): start and end with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invitation(site, coordinator):
    return invitation_create(site=site, by=coordinator)


@pytest.fixture
def other_coordinator(db, django_user_model, other_branch):
    user = make_user(django_user_model, "other-coordinator@example.org", first_name="Otto")
    other_branch.coordinators.add(user)
    return user


@pytest.fixture
def other_coordinator_client(other_coordinator):
    client = Client()
    client.force_login(other_coordinator)
    return client


def add_helper(shift, by, *, name="Noor Haddad", phone="0612345678", language="ar", key=None):
    """A helper without a log-in, added to `shift` by the coordinator `by`."""
    return helper_add(
        shift=shift,
        details=HelperDetails(name=name, language=language, phone=phone),
        by=by,
        form_key=key or new_form_key(),
    )
