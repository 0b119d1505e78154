"""The search index: a folded copy of what makes each record findable, one row per record, per workspace."""

from __future__ import annotations

from django.db import models

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel, unchecked_workspace


class SearchDocument(WorkspaceScopedModel):
    """What global search knows of one record: how to show it and the folded text it is found by."""

    workspace = unchecked_workspace(db_index=False)  # derived data, written in bulk; every index starts with the workspace
    object_type = models.CharField(max_length=40, help_text="The registered record type, e.g. `contact`.")
    object_id = models.BigIntegerField()
    # A copy of the record's owner, so own/team visibility is applied inside the search query.
    # No foreign-key constraint: the index is derived data, and a removed user must not block or cascade into it.
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    title_key = models.CharField(max_length=300, help_text="The folded title, for exact and prefix matches.")
    text = models.TextField(help_text="Folded words: names, emails, phone digits, domains, related names.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "object_type", "object_id"], name="searchdocument_unique_object"),
        ]
        indexes = [models.Index(fields=["workspace", "object_type", "title_key"], name="searchdocument_ws_title")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.title}"


class SearchTerm(WorkspaceScopedModel):
    """A word that appears in some record's title: the vocabulary a misspelt query is corrected against."""

    workspace = unchecked_workspace(db_index=False)
    term = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "term"], name="searchterm_unique")]

    def __str__(self) -> str:
        return self.term
