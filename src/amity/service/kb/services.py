"""Every write of the knowledge base: categories, drafts, review, publishing, archiving, versions and links to cases."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.search.text import fold
from amity.service.kb.rendering import article_text
from amity.service.models import Article, ArticleCategory, ArticleVersion, Case, CaseArticle, CaseMessage

Status = Article.Status
MAX_SOURCE = 100_000  # characters of Markdown


@transaction.atomic
def category_save(
    *, actor: User, workspace: Workspace, name: str, description: str = "", position: int = 0, category: ArticleCategory | None = None
) -> ArticleCategory:
    """Add or rename a category of the knowledge base."""
    require(actor, workspace, Action.CHANGE if category else Action.ADD, ObjectType.ARTICLE_PUBLICATION)
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError({"name": "Name the category."})
    slug = slugify(name)[:80] or "category"
    clash = ArticleCategory.objects.filter(workspace=workspace, slug=slug)
    if (clash.exclude(pk=category.pk) if category else clash).exists():
        raise ValidationError({"name": f"There is already a category “{name}”."})
    created = category is None
    category = category or ArticleCategory(workspace=workspace)
    before = category.name
    category.name, category.slug, category.description, category.position = name, slug, description.strip()[:250], position
    category.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=category,
        changes={"name": [None if created else before, name]},
    )
    return category


def _unique_slug(workspace: Workspace, title: str, *, article: Article | None = None) -> str:
    base = slugify(title)[:100] or "article"
    others = Article.objects.filter(workspace=workspace, slug__startswith=base)
    taken = set((others.exclude(pk=article.pk) if article else others).values_list("slug", flat=True))
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def clean_source(body: str) -> str:
    """An article's Markdown as it is stored: the writer's source, line endings made plain; it is rendered and cleaned when shown."""
    source = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(source) > MAX_SOURCE:
        raise ValidationError({"body": f"Keep it under {MAX_SOURCE:,} characters."})
    if not article_text(source):
        raise ValidationError({"body": "Write the article."})
    return source


def _clean_text(data: dict[str, Any], workspace: Workspace) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = " ".join(str(data["title"] or "").split())[:200]
        if not cleaned["title"]:
            errors["title"] = "Give the article a title."
    if "body" in data:
        try:
            cleaned["body"] = clean_source(str(data["body"] or ""))
        except ValidationError as error:
            errors.update(error.message_dict)  # type: ignore[arg-type]
    if "visibility" in data:
        if data["visibility"] not in Article.Visibility.values:
            errors["visibility"] = f"Choose one of: {', '.join(Article.Visibility.values)}."
        cleaned["visibility"] = data["visibility"]
    if "category_id" in data:
        category_id = data["category_id"]
        if category_id is not None and not ArticleCategory.objects.filter(workspace=workspace, pk=category_id).exists():
            errors["category_id"] = "No such category in this workspace."
        cleaned["category_id"] = category_id
    if errors:
        raise ValidationError(errors)
    return cleaned


def _index_working_copy(article: Article) -> None:
    """Fold the working copy's title and text for the staff's search (the published version has its own search text)."""
    article.working_search_title = fold(article.title)[:200]
    article.working_search_text = fold(f"{article.title} {article_text(article.body)}")


def _new_version(article: Article, *, author: User | None, note: str = "") -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        workspace_id=article.workspace_id,
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        author=author,
        note=note,
    )


@transaction.atomic
def article_create(*, actor: User, workspace: Workspace, data: dict[str, Any]) -> Article:
    """Write a new article; it starts as a draft, seen by agents only until it is published."""
    require(actor, workspace, Action.ADD, ObjectType.ARTICLE)
    cleaned = _clean_text({"visibility": Article.Visibility.INTERNAL, "category_id": None, **data}, workspace)
    if "title" not in cleaned or "body" not in cleaned:
        raise ValidationError({"title" if "title" not in cleaned else "body": "This field is required."})
    article = Article(workspace=workspace, slug=_unique_slug(workspace, cleaned["title"]), created_by=actor, status=Status.DRAFT, **cleaned)
    _index_working_copy(article)
    article.save()
    _new_version(article, author=actor, note="First draft")
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=article, changes={"title": [None, article.title]})
    return article


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def article_update(*, actor: User, article: Article, data: dict[str, Any]) -> Article:
    """Save the working copy; a published article goes on showing its published version until the change is approved."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE)
    article = _locked(article)
    if article.status == Status.ARCHIVED:
        raise ValidationError({"status": "Restore the article before changing it."})
    cleaned = _clean_text(data, article.workspace)
    changes = {field: [getattr(article, field), value] for field, value in cleaned.items() if getattr(article, field) != value}
    if not changes:
        return article
    for field, value in cleaned.items():
        setattr(article, field, value)
    if "title" in changes and article.published_version_id is None:
        article.slug = _unique_slug(article.workspace, article.title, article=article)
    if article.status == Status.IN_REVIEW:  # a reviewer must see what they approve: a change sends it back to the writer
        article.status = Status.DRAFT
    _index_working_copy(article)
    article.updated_at = timezone.now()
    article.save()
    if "title" in changes or "body" in changes:
        _new_version(article, author=actor)
    audit.record(
        actor=actor,
        workspace=article.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=article,
        changes={field: ["…", "…"] if field == "body" else pair for field, pair in changes.items()},
    )
    return article


def _set_status(actor: User, article: Article, status: str, **fields: Any) -> Article:
    before = article.status
    article.status = status
    for name, value in fields.items():
        setattr(article, name, value)
    article.updated_at = timezone.now()
    article.save()
    audit.record(
        actor=actor, workspace=article.workspace, action=AuditEntry.Action.UPDATE, obj=article, changes={"status": [before, status]}
    )
    return article


@transaction.atomic
def article_submit(*, actor: User, article: Article) -> Article:
    """Ask for a review of the draft (or of the changes to a published article)."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE)
    article = _locked(article)
    if article.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ValidationError({"status": f"A {article.get_status_display().lower()} article cannot be sent for review."})
    if article.status == Status.PUBLISHED and not _has_unpublished_changes(article):
        raise ValidationError({"status": "Nothing has changed since it was published."})
    return _set_status(actor, article, Status.IN_REVIEW, submitted_by=actor, review_note="")


def _has_unpublished_changes(article: Article) -> bool:
    version = article.published_version
    return version is None or (version.title, version.body) != (article.title, article.body)


@transaction.atomic
def article_request_changes(*, actor: User, article: Article, note: str) -> Article:
    """Send an article under review back to its writer with what to change."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    article = _locked(article)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what should change."})
    if article.status != Status.IN_REVIEW:
        raise ValidationError({"status": "Only an article in review can be sent back."})
    return _set_status(actor, article, Status.DRAFT, review_note=note[:2000])


@transaction.atomic
def article_publish(*, actor: User, article: Article) -> Article:
    """Approve the working copy and publish it: readers and search see it from now on."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    article = _locked(article)
    if article.status == Status.ARCHIVED:
        raise ValidationError({"status": "Restore the article before publishing it."})
    if article.status == Status.PUBLISHED and not _has_unpublished_changes(article):
        raise ValidationError({"status": "This version is already published."})
    version = article.versions.order_by("-number").first()
    if version is None or (version.title, version.body) != (article.title, article.body):
        version = _new_version(article, author=actor)
    version.note = f"Published by {actor.full_name or actor.email}"
    version.save(update_fields=["note"])
    article.published_version = version
    return _set_status(
        actor,
        article,
        Status.PUBLISHED,
        published_at=timezone.now(),
        review_note="",
        search_title=fold(version.title),
        search_text=fold(f"{version.title} {article_text(version.body)}"),
    )


@transaction.atomic
def article_archive(*, actor: User, article: Article) -> Article:
    """Take an article out of the knowledge base; it is kept with its versions and can be restored."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    article = _locked(article)
    if article.status == Status.ARCHIVED:
        raise ValidationError({"status": "The article is already archived."})
    return _set_status(actor, article, Status.ARCHIVED)


@transaction.atomic
def article_unarchive(*, actor: User, article: Article) -> Article:
    """Bring an archived article back as a draft (or as published, if a version of it was published)."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE_PUBLICATION)
    article = _locked(article)
    if article.status != Status.ARCHIVED:
        raise ValidationError({"status": "Only an archived article can be brought back."})
    return _set_status(actor, article, Status.PUBLISHED if article.published_version_id else Status.DRAFT)


@transaction.atomic
def article_restore_version(*, actor: User, article: Article, version: ArticleVersion) -> Article:
    """Make an older version the working copy again (as a new version); publishing it is a separate approval."""
    require(actor, article.workspace, Action.CHANGE, ObjectType.ARTICLE)
    if version.article_id != article.pk:
        raise ValidationError({"version_id": "This version belongs to another article."})
    article = _locked(article)
    if article.status == Status.ARCHIVED:
        raise ValidationError({"status": "Restore the article before changing it."})
    article.title, article.body = version.title, version.body
    if article.status == Status.IN_REVIEW:
        article.status = Status.DRAFT
    _index_working_copy(article)
    article.updated_at = timezone.now()
    article.save()
    _new_version(article, author=actor, note=f"Restored version {version.number}")
    audit.record(
        actor=actor, workspace=article.workspace, action=AuditEntry.Action.UPDATE, obj=article, changes={"version": [None, version.number]}
    )
    return article


@transaction.atomic
def case_article_link(*, actor: User, case: Case, article: Article) -> CaseArticle:
    """Link a published article to a case (it answered the case); linking twice keeps one link."""
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    if article.workspace_id != case.workspace_id or article.published_version_id is None or article.status == Status.ARCHIVED:
        raise ValidationError({"article_id": "Link a published article of this workspace."})
    link, created = CaseArticle.objects.get_or_create(
        workspace_id=case.workspace_id, case=case, article=article, defaults={"linked_by": actor}
    )
    if created:
        audit.record(
            actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={"article": [None, article.title]}
        )
    return link


def _help_link(workspace_slug: str) -> re.Pattern[str]:
    """An article's help-page address in a reply (what "insert into reply" puts there), its slug captured."""
    path = reverse("portal_article", args=[workspace_slug, "article-slug"])
    before, after = path.split("article-slug")
    return re.compile(rf"{re.escape(before)}([-\w]+){re.escape(after)}")


def case_articles_sent(*, actor: User, case: Case, message: CaseMessage) -> list[CaseArticle]:
    """Link to the case the published public articles whose help-page link a reply sent, noting the reply.

    Called by the reply service inside its transaction (it checked that the actor may answer the case); an article
    that was linked already keeps its link and gains the reply.
    """
    slugs = set(_help_link(case.workspace.slug).findall(message.body))
    if not slugs:
        return []
    articles = Article.objects.filter(
        workspace_id=case.workspace_id, slug__in=sorted(slugs), visibility=Article.Visibility.PUBLIC, published_version__isnull=False
    ).exclude(status=Status.ARCHIVED)
    links = []
    for article in articles:
        link, created = CaseArticle.objects.get_or_create(
            workspace_id=case.workspace_id, case=case, article=article, defaults={"linked_by": actor, "message": message}
        )
        if not created and link.message_id is None:
            link.message = message
            link.save(update_fields=["message"])
        if created:
            audit.record(
                actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={"article": [None, article.title]}
            )
        links.append(link)
    return links


@transaction.atomic
def case_article_unlink(*, actor: User, case: Case, article: Article) -> None:
    """Remove the link between a case and an article."""
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    deleted, _ = CaseArticle.objects.filter(case=case, article=article).delete()
    if deleted:
        audit.record(
            actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={"article": [article.title, None]}
        )


def article_reply_text(article: Article, *, public_url: str = "") -> str:
    """What "insert into reply" puts into the composer: the published title and text as plain text, links written out,
    and the public link if there is one."""
    version = article.published_version
    if version is None:
        raise ValidationError({"article_id": "Only a published article can go into a reply."})
    parts = [version.title, article_text(version.body, links=True), public_url]
    return "\n\n".join(part for part in parts if part)
