from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from journalclub.inputs import whole_number

from .queries import MAX_QUERY_LENGTH, SearchResults

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    """Published reviews and visible comments matching `q`: the same for every reader."""
    # No control character gets here (journalclub.inputs.RefuseHostileQueriesMiddleware).
    q = request.GET.get("q", "").strip()
    shortened = len(q) > MAX_QUERY_LENGTH
    q = q[:MAX_QUERY_LENGTH].strip()
    page = None
    if q:
        # A missing or malformed page number is the first page; one past the end, the last.
        page = Paginator(SearchResults(q), RESULTS_PER_PAGE).get_page(
            whole_number(request.GET.get("page"))
        )
    return render(
        request,
        "search/results.html",
        {"q": q, "shortened": shortened, "max_length": MAX_QUERY_LENGTH, "page_obj": page},
    )
