"""The retention rule's form: what to let go, after how long, and how (the service checks the combination)."""

from __future__ import annotations

from typing import Any

from django import forms

from amity.customers.models import RetentionRule
from amity.customers.privacy.retention import ACTIONS, status_choices
from amity.web.forms import StyledForm


def _statuses_help() -> str:
    return "Leave empty for any. " + "; ".join(
        f"{label.lower()}: {', '.join(status_choices(kind))}" for kind, label in RetentionRule.ObjectType.choices
    )


class RetentionRuleForm(StyledForm):
    object_type = forms.ChoiceField(label="Records", choices=RetentionRule.ObjectType.choices)
    untouched_months = forms.IntegerField(label="Untouched for (months)", min_value=1, max_value=1200, initial=24)
    status = forms.CharField(label="Only in this status", required=False, max_length=40)
    action = forms.ChoiceField(
        label="Then",
        choices=RetentionRule.RuleAction.choices,
        help_text="; ".join(f"{label.lower()}: {', '.join(ACTIONS[kind])}" for kind, label in RetentionRule.ObjectType.choices),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].help_text = _statuses_help()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("object_type", "untouched_months", "status", "action")}
