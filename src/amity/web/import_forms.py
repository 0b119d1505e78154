"""Forms of the import pages: the upload, and the mapping of a file's columns with the import's options.

They parse what people choose into what amity.imports.services takes; the rules stay there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from amity.imports.models import Import
from amity.web.forms import StyledForm

ACCEPTED_FILES = ".csv,.tsv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_LABELS = {
    Import.Kind.CONTACTS: "Contacts (people)",
    Import.Kind.ACCOUNTS: "Accounts (organizations)",
    Import.Kind.LEADS: "Leads (people who may become customers; scored and assigned by your rules)",
}
# What a row is matched on, in the user's words, per kind.
MATCH_KEYS = {
    Import.Kind.CONTACTS: "the same external ID or, failing that, the same primary email",
    Import.Kind.ACCOUNTS: "the same external ID or, failing that, one of the same web domains",
    Import.Kind.LEADS: "the same external ID or, failing that, the same email (converted leads are left as they are)",
}
ON_MATCH_HELP = {
    Import.OnMatch.SKIP: "Leave the existing record as it is and report the row as skipped.",
    Import.OnMatch.UPDATE: "Fill the existing record with the row's non-empty cells; empty cells keep what is there.",
    Import.OnMatch.CREATE: "Add another record anyway (it fails if its external ID or domain is already taken).",
}


def megabytes(size: int) -> str:
    return f"{size / 1048576:,.0f} MB"


class UploadForm(StyledForm):
    kind = forms.ChoiceField(label="What the file holds", widget=forms.RadioSelect)
    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(value, KIND_LABELS[Import.Kind(value)]) for value in kinds]
        self.fields["file"].help_text = (
            f"CSV (any common encoding and delimiter) or Excel XLSX, up to {megabytes(settings.IMPORT_MAX_BYTES)}; "
            "the first row names the columns."
        )


def _clash(headers: list[str], label: str) -> str:
    together = f"{', '.join(headers[:-1])} and {headers[-1]} {'both' if len(headers) == 2 else 'all'}"
    return f"{together} go to {label}; choose one column for it."


class MappingForm(StyledForm):
    """One select per column of the file (`column_0`, `column_1`, …), then what to do with matches and bad rows."""

    on_match = forms.ChoiceField(label="When a row matches an existing record", choices=Import.OnMatch.choices, widget=forms.RadioSelect)
    all_or_nothing = forms.BooleanField(
        label="All or nothing: import nothing if any row has an error",
        required=False,
        help_text="Otherwise bad rows are reported and skipped, and the good ones are imported.",
    )

    def __init__(self, *args: Any, headers: list[str], fields: dict[str, str], mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "— Don't import —"), *fields.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.field_labels = fields

    @property
    def columns(self) -> list[forms.BoundField]:
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        columns_by_field: dict[str, list[str]] = {}
        for index, header in enumerate(self.headers):
            target = data.get(f"column_{index}") or ""
            if target:
                columns_by_field.setdefault(target, []).append(header)
        for target, headers in columns_by_field.items():
            if len(headers) > 1:
                for index, header in enumerate(self.headers):
                    if header in headers[1:]:
                        self.add_error(f"column_{index}", _clash(headers, self.field_labels[target]))
        return data

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}") or "" for index, header in enumerate(self.headers)}
