"""Uncached pages requested in this process, for ``benchmarks.profile`` and
``benchmarks.ablate``: the pages, a signed-in test client, and a request that finds
the page cache empty. Importing it changes nothing: the tools set the page cache off
and Django up themselves."""

from django.conf import settings
from django.core.cache import cache
from django.test import Client

PAGES = (("agency dashboard", "/dashboard/", "officer"), ("province overview", "/overview/", "coordinator"))


def signed_in_client(user) -> Client:
    client = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="localhost")
    client.force_login(user)
    return client


def signed_in_clients() -> dict[str, Client]:
    """The benchmark's officer and coordinator (``benchmarks.steps.users``: created, or
    given a new password), each signed in to a client of their own."""
    from django.contrib.auth import get_user_model

    from benchmarks import steps  # models: loaded once Django is set up

    accounts = steps.users(None)
    User = get_user_model()
    return {
        role: signed_in_client(User.objects.get(username=accounts[role]["username"]))
        for role in ("officer", "coordinator")
    }


def get_uncached(client, path):
    """``path`` computed afresh: the cache emptied first, a status other than 200 an error."""
    cache.clear()
    response = client.get(path, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return response


def plain_static_storages() -> dict:
    """The storages without the static files' manifest: that is collectstatic's, and the
    page's own cost is what is measured here."""
    return {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
