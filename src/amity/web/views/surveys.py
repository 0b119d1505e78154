"""The customer's side of a satisfaction survey: one click records a score, then a thank-you page with a comment box."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amity.service import surveys


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, signed: str, score: int) -> HttpResponse:
    """Record the score of the link that was clicked (again: the last click counts) and thank the customer."""
    survey = surveys.survey_from_link(signed)
    try:
        survey = surveys.survey_answer(survey=survey, score=score)
    except ValidationError as error:
        return render(request, "web/surveys/answer.html", {"survey": survey, "error": error.messages[0]}, status=400)
    return _page(request, survey)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, signed: str) -> HttpResponse:
    """The survey itself: the five scores, and the comment box (posted here)."""
    survey = surveys.survey_from_link(signed)
    saved, error = False, ""
    if request.method == "POST":
        try:
            survey = surveys.survey_comment(survey=survey, comment=request.POST.get("comment", ""))
            saved = True
        except ValidationError as problem:
            error = problem.messages[0]
    return _page(request, survey, saved=saved, error=error)


def _page(request: HttpRequest, survey: surveys.Survey, *, saved: bool = False, error: str = "") -> HttpResponse:
    links = [(score, surveys.SCORE_LABELS[score], surveys.survey_link(survey, score)) for score in surveys.SCORES]
    context = {"survey": survey, "links": links, "saved": saved, "error": error, "page_link": surveys.survey_link(survey)}
    return render(request, "web/surveys/answer.html", context, status=400 if error else 200)
