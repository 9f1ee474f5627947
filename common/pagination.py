"""What the links between the pages of a paginated list need."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without `page`, urlencoded: the filters that the links to
    the other pages keep (templates/_pagination.html adds the page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
