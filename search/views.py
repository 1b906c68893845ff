from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .queries import MAX_QUERY_LENGTH, SearchResults

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    """Published reviews and visible comments matching `q`: the same for every reader."""
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    q = request.GET.get("q", "").replace("\x00", "").strip()
    shortened = len(q) > MAX_QUERY_LENGTH
    q = q[:MAX_QUERY_LENGTH].strip()
    page = None
    if q:
        # get_page turns a missing or malformed page number into the first page.
        page = Paginator(SearchResults(q), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "search/results.html",
        {"q": q, "shortened": shortened, "max_length": MAX_QUERY_LENGTH, "page_obj": page},
    )
