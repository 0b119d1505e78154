"""Service → Knowledge base: the article list (filters and search), an article, the editor with a live preview, categories,
the version history with its differences, and the review queue. They read through amity.service.kb.selectors and
amity.service.kb.search and write through amity.service.kb.services, as the API does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.service.kb import search, selectors, services
from amity.service.kb.diff import version_diff
from amity.service.models import Article, ArticleCategory
from amity.web.customer_forms import apply_service_errors
from amity.web.forms import errors_as_messages
from amity.web.kb_forms import ArticleForm, CategoryForm
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view

PAGE_SIZE = 50
MAX_HITS = 50  # a search shows the best matches, ranked, without further pages
STATUS_TONES = {"draft": "secondary", "in_review": "yellow", "published": "green", "archived": "dark"}
# The buttons of an article's page: the service each calls and what it says after.
TRANSITIONS = {
    "submit": (services.article_submit, "Sent for review."),
    "publish": (services.article_publish, "Published."),
    "archive": (services.article_archive, "Archived."),
    "unarchive": (services.article_unarchive, "Brought back from the archive."),
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


def _decorate(article: Article) -> Article:
    article.status_tone = STATUS_TONES.get(article.status, "secondary")  # type: ignore[attr-defined]
    return article


def _review_count(request: WorkspaceRequest) -> int | None:
    """How many articles wait for a review, for those who review (None for the others: they see no tab)."""
    if not allowed(request.user, request.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION):
        return None
    return selectors.review_queue(actor=request.user, workspace=request.workspace).count()


def _tabs(request: WorkspaceRequest, current: str) -> dict[str, Any]:
    return {
        "tab": current,
        "review_count": _review_count(request),
        "can_add": allowed(request.user, request.workspace, Action.ADD, ObjectType.ARTICLE),
        "can_publish": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION),
    }


def _filters(request: WorkspaceRequest) -> selectors.ArticleFilter:
    status = request.GET.get("status", "")
    visibility = request.GET.get("visibility", "")
    return selectors.ArticleFilter(
        status=status if status in Article.Status.values else None,
        visibility=visibility if visibility in Article.Visibility.values else None,
        category_id=_int(request.GET.get("category")),
        author_id=_int(request.GET.get("author")),
    )


@workspace_view
@require_GET
def article_list(request: WorkspaceRequest) -> HttpResponse:
    """Every article, drafts included, filtered by status, visibility, category and writer; or searched, best match first."""
    ensure(request, Action.VIEW, ObjectType.ARTICLE)
    filters = _filters(request)
    query = request.GET.get("q", "").strip()[:200]
    articles = selectors.articles(actor=request.user, workspace=request.workspace, filters=filters)
    next_url = ""
    if query:  # the staff's search: every working copy the filters leave (drafts too), ranked
        found = list(search.staff_search(articles, query)[:MAX_HITS])
    else:
        ordering = selectors.ARTICLE_SORTS["-updated_at"]
        page = keyset_page(articles, ordering=ordering, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
        found = page.items
        kept = {key: value for key, value in request.GET.items() if key != "cursor"}
        next_url = f"?{urlencode({**kept, 'cursor': page.next_cursor})}" if page.next_cursor else ""
    context = {
        **_tabs(request, "articles"),
        "articles": [_decorate(article) for article in found],
        "next_url": next_url,
        "query": query,
        "filters": filters,
        "statuses": Article.Status.choices,
        "visibilities": Article.Visibility.choices,
        "categories": list(selectors.categories(actor=request.user, workspace=request.workspace)),
        "people": _people(request),
        "filtered": bool(query or filters != selectors.ArticleFilter()),
    }
    return render_page(request, "web/kb/list.html", context, partial="rows" if request.GET.get("cursor") else None)


@workspace_view
@require_GET
def review_queue(request: WorkspaceRequest) -> HttpResponse:
    """The articles waiting for a reviewer, oldest request first (for those who publish)."""
    ensure(request, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    waiting = selectors.review_queue(actor=request.user, workspace=request.workspace).select_related("submitted_by")
    page = keyset_page(waiting, ordering=("updated_at", "id"), cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    context = {
        **_tabs(request, "review"),
        "articles": [_decorate(article) for article in page.items],
        "next_url": f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else "",
    }
    return render_page(request, "web/kb/review.html", context, partial="rows" if request.GET.get("cursor") else None)


def _article(request: WorkspaceRequest, pk: int) -> Article:
    return _decorate(selectors.article_get(actor=request.user, workspace=request.workspace, pk=pk))


@workspace_view
@require_GET
def article_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """An article's working copy as readers will see it, its state, and the review and publishing buttons."""
    ensure(request, Action.VIEW, ObjectType.ARTICLE)
    article = _article(request, pk)
    published = article.published_version
    context = {
        **_tabs(request, "articles"),
        "article": article,
        "unpublished_changes": published is not None and (published.title, published.body) != (article.title, article.body),
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.ARTICLE),
    }
    return render_page(request, "web/kb/detail.html", context)


def _editor(request: WorkspaceRequest, form: ArticleForm, article: Article | None, *, status: int = 200) -> HttpResponse:
    body = form.data.get("body") if form.is_bound else form.initial.get("body", "")
    context = {**_tabs(request, "articles"), "form": form, "article": article, "preview": _preview_source(str(body or ""))}
    return render_page(request, "web/kb/form.html", context, status=status)


def _preview_source(body: str) -> str:
    """The Markdown the preview draws (rendered and cleaned by the shared article_body include, as readers get it)."""
    return body.strip()[: services.MAX_SOURCE]


def _categories(request: WorkspaceRequest) -> list[ArticleCategory]:
    return list(selectors.categories(actor=request.user, workspace=request.workspace))


@workspace_view
@require_http_methods(["GET", "POST"])
def article_create(request: WorkspaceRequest) -> HttpResponse:
    """Write a new article: it starts as a draft that only agents see."""
    ensure(request, Action.ADD, ObjectType.ARTICLE)
    form = ArticleForm(request.POST if request.method == "POST" else None, categories=_categories(request))
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(actor=request.user, workspace=request.workspace, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Draft saved. Send it for review when it is ready.")
            return redirect("kb_article", request.workspace.slug, article.pk)
    return _editor(request, form, None, status=422 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def article_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Change the working copy; a published article keeps showing its published version until the change is approved."""
    ensure(request, Action.CHANGE, ObjectType.ARTICLE)
    article = _article(request, pk)
    posted = request.POST if request.method == "POST" else None
    form = ArticleForm(posted, initial=ArticleForm.initial_of(article), categories=_categories(request))
    if posted is not None and form.is_valid():
        try:
            services.article_update(actor=request.user, article=article, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("kb_article", request.workspace.slug, article.pk)
    return _editor(request, form, article, status=422 if form.errors else 200)


@workspace_view
@require_POST
def article_preview(request: WorkspaceRequest) -> HttpResponse:
    """The editor's live preview: the Markdown rendered and cleaned as readers will see it, drawn as the help pages draw it."""
    ensure(request, Action.VIEW, ObjectType.ARTICLE)
    return render_page(request, "web/kb/form.html", {"preview": _preview_source(request.POST.get("body", ""))}, partial="preview")


@workspace_view
@require_POST
def article_transition(request: WorkspaceRequest, pk: int, action: str) -> HttpResponse:
    """Submit for review, publish, archive or bring back an article (the services check who may)."""
    if action not in TRANSITIONS:
        raise Http404("No such action.")
    article = _article(request, pk)
    service, done = TRANSITIONS[action]
    with errors_as_messages(request):
        service(actor=request.user, article=article)
        messages.success(request, done)
    return _back(request, pk)


def _back(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Back to the review queue when the button was pressed there, else to the article."""
    if request.POST.get("next") == "review":
        return redirect("kb_review", request.workspace.slug)
    return redirect("kb_article", request.workspace.slug, pk)


@workspace_view
@require_POST
def article_request_changes(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Send an article under review back to its writer with what to change."""
    article = _article(request, pk)
    with errors_as_messages(request):
        services.article_request_changes(actor=request.user, article=article, note=request.POST.get("note", ""))
        messages.success(request, "Sent back to the writer with your comment.")
    return _back(request, pk)


def _version_number(request: WorkspaceRequest, name: str, default: int) -> int:
    return _int(request.GET.get(name)) or default


@workspace_view
@require_GET
def article_history(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Every saved version of an article, and what changed between two of them (the last two unless chosen)."""
    ensure(request, Action.VIEW, ObjectType.ARTICLE)
    article = _article(request, pk)
    versions = list(selectors.article_versions(article=article)[:200])
    by_number = {version.number: version for version in versions}
    newest = versions[0].number if versions else 0
    newer = by_number.get(_version_number(request, "to", newest))
    older = by_number.get(_version_number(request, "from", newest - 1))
    context = {
        **_tabs(request, "articles"),
        "article": article,
        "versions": versions,
        "older": older,
        "newer": newer,
        "diff": version_diff(older, newer) if older and newer and older != newer else None,
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.ARTICLE),
    }
    return render_page(request, "web/kb/history.html", context)


@workspace_view
@require_POST
def article_restore(request: WorkspaceRequest, pk: int, version_pk: int) -> HttpResponse:
    """Make an older version the working copy again; publishing it is a separate approval."""
    article = _article(request, pk)
    version = selectors.article_version_get(article=article, pk=version_pk)
    with errors_as_messages(request):
        services.article_restore_version(actor=request.user, article=article, version=version)
        messages.success(request, f"Version {version.number} is the working copy again. Send it for review to publish it.")
    return redirect("kb_article", request.workspace.slug, pk)


@workspace_view
@require_http_methods(["GET", "POST"])
def category_list(request: WorkspaceRequest) -> HttpResponse:
    """The knowledge base's categories, with a form to add one (for those who publish)."""
    ensure(request, Action.VIEW, ObjectType.ARTICLE)
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ensure(request, Action.ADD, ObjectType.ARTICLE_PUBLICATION)
        if form.is_valid():
            try:
                category = services.category_save(actor=request.user, workspace=request.workspace, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Category “{category.name}” added.")
                return redirect("kb_categories", request.workspace.slug)
    return _categories_page(request, form, editing=None, status=422 if form.errors else 200)


def _categories_page(
    request: WorkspaceRequest,
    form: CategoryForm,
    *,
    editing: ArticleCategory | None,
    status: int = 200,
    edit_form: CategoryForm | None = None,
) -> HttpResponse:
    categories = list(selectors.categories(actor=request.user, workspace=request.workspace).annotate(article_count=Count("articles")))
    context = {**_tabs(request, "categories"), "categories": categories, "form": form, "editing": editing, "edit_form": edit_form}
    return render_page(request, "web/kb/categories.html", context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def category_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Rename a category, change its description or its place in the list."""
    ensure(request, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    category = selectors.category_get(actor=request.user, workspace=request.workspace, pk=pk)
    posted = request.POST if request.method == "POST" else None
    edit_form = CategoryForm(posted, initial=CategoryForm.initial_of(category), prefix="edit")
    if posted is not None and edit_form.is_valid():
        try:
            services.category_save(actor=request.user, workspace=request.workspace, category=category, **edit_form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(edit_form, error)
        else:
            messages.success(request, "Category saved.")
            return redirect("kb_categories", request.workspace.slug)
    return _categories_page(request, CategoryForm(), editing=category, edit_form=edit_form, status=422 if edit_form.errors else 200)
