"""Fake geocoders and HTTP adapters: the chain, PDOK and Nominatim run through their real
geopy code paths with canned answers, and nothing touches the network."""

import time

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location as GeopyLocation

from locations.geocoding.providers import Provider


class FakeAdapter(BaseSyncAdapter):
    """Answers geopy's HTTP requests from a list: a dict is the JSON body, an exception is
    raised as the adapter would raise it. Records every URL and its headers."""

    def __init__(self, answers, *, proxies=None, ssl_context=None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.answers = list(answers)
        self.requests: list[tuple[str, dict]] = []

    def get_json(self, url, *, timeout, headers):
        self.requests.append((url, dict(headers)))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError

    def factory(self, *, proxies=None, ssl_context=None):
        return self


class FakeGeocoder(Geocoder):
    """A geopy geocoder that knows a few places, counts its calls, and can be told to fail."""

    def __init__(self, places=None, *, error: BaseException | None = None):
        super().__init__()
        self.places = places or {}
        self.error = error
        self.calls: list[str] = []
        self.called_at: list[float] = []

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.calls.append(query)
        self.called_at.append(time.time())
        if self.error is not None:
            raise self.error
        point = self.places.get(query)
        if point is None:
            return None
        return GeopyLocation(query, point, {"query": query})


def fake_provider(
    name, places=None, *, error=None, min_interval=0.0, max_wait=10.0, precision=None
):
    provider = Provider(
        FakeGeocoder(places, error=error), name=name, min_interval=min_interval, max_wait=max_wait
    )
    if precision:
        original = provider.read

        def read(location):
            answer = original(location)
            return type(answer)(
                latitude=answer.latitude,
                longitude=answer.longitude,
                precision=precision,
                label=answer.label,
                address=answer.address,
            )

        provider.read = read
    return provider
