"""Forms of the knowledge-base pages: an article's working copy and a category; the rules live in amity.service.kb.services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from amity.service.models import Article, ArticleCategory
from amity.web.forms import StyledForm


class ArticleForm(StyledForm):
    title = forms.CharField(label="Title", max_length=200)
    category_id = forms.ChoiceField(label="Category", required=False)
    visibility = forms.ChoiceField(
        label="Who may read it",
        choices=Article.Visibility.choices,
        help_text="Public articles are shown in the customers' help pages and can go into replies, once published.",
    )
    body = forms.CharField(
        label="Text",
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true", "class": "font-monospace amity-md-input"}),
        help_text="Markdown: ## a heading, **bold**, *italic*, [words](https://…), - a list, 1. a numbered list, `code`, > a quote. "
        "A blank line starts a new paragraph.",
    )

    def __init__(self, *args: Any, categories: Iterable[ArticleCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category_id"].choices = [("", "No category"), *((str(each.pk), each.name) for each in categories)]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(article: Article) -> dict[str, Any]:
        return {
            "title": article.title,
            "category_id": str(article.category_id or ""),
            "visibility": article.visibility,
            "body": article.body,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        category = data["category_id"]
        return {
            "title": data["title"],
            "body": data["body"],
            "visibility": data["visibility"],
            "category_id": int(category) if category else None,
        }


class CategoryForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80)
    description = forms.CharField(label="Description", max_length=250, required=False)
    position = forms.IntegerField(label="Position", min_value=0, max_value=32767, initial=0, help_text="Lower numbers come first.")

    @staticmethod
    def initial_of(category: ArticleCategory) -> dict[str, Any]:
        return {"name": category.name, "description": category.description, "position": category.position}
