"""Forms of the deal pages: the board's and list's filters, and the new-deal form; the rules live in amity.sales.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from amity.core.models import Team, User
from amity.sales.models import Pipeline
from amity.sales.selectors import OpportunityFilter
from amity.web.customer_forms import _people_choices, _team_choices
from amity.web.forms import StyledForm

PERIODS = [
    ("", "Any close date"),
    ("this_month", "Closing this month"),
    ("this_quarter", "Closing this quarter"),
    ("next_quarter", "Closing next quarter"),
    ("custom", "Custom dates…"),
]


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last close dates of a named period around `today`."""
    if period == "this_month":
        start = today.replace(day=1)
        return start, _months_later(start, 1) - dt.timedelta(days=1)
    if period in ("this_quarter", "next_quarter"):
        start = _quarter_start(today) if period == "this_quarter" else _months_later(_quarter_start(today), 3)
        return start, _months_later(start, 3) - dt.timedelta(days=1)
    return None, None


class DealFilterForm(StyledForm):
    """The filters the board and the list share; their names are the query parameters."""

    pipeline = forms.ChoiceField(label="Pipeline", required=False)
    owner_id = forms.ChoiceField(label="Owner", required=False)
    team_id = forms.ChoiceField(label="Team", required=False)
    period = forms.ChoiceField(label="Close date", required=False, choices=PERIODS)
    close_after = forms.DateField(label="Closing from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    close_before = forms.DateField(label="Closing until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, pipelines: Iterable[Pipeline], people: Iterable[User], teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pipelines = list(pipelines)
        self.fields["pipeline"].choices = [(str(p.pk), p.name) for p in self.pipelines]  # type: ignore[attr-defined]
        self.fields["owner_id"].choices = _people_choices(people, "Any owner")  # type: ignore[attr-defined]
        self.fields["team_id"].choices = _team_choices(teams, "Any team")  # type: ignore[attr-defined]

    def chosen_pipeline(self) -> Pipeline:
        """The chosen pipeline, else the default one (the first when none is marked default)."""
        wanted = self.cleaned_data.get("pipeline") if self.is_bound and self.is_valid() else ""
        for pipeline in self.pipelines:
            if str(pipeline.pk) == wanted:
                return pipeline
        return next((p for p in self.pipelines if p.is_default), self.pipelines[0])

    def filters(self) -> OpportunityFilter:
        data = self.cleaned_data if self.is_valid() else {}
        close_after, close_before = data.get("close_after"), data.get("close_before")
        if data.get("period") not in ("", "custom", None):
            close_after, close_before = period_dates(data["period"], timezone.localdate())
        return OpportunityFilter(
            owner_id=int(data["owner_id"]) if data.get("owner_id") else None,
            team_id=int(data["team_id"]) if data.get("team_id") else None,
            account_id=data.get("account") or None,
            close_after=close_after,
            close_before=close_before,
        )

    def active_count(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return sum(1 for key in ("owner_id", "team_id", "period", "account") if data.get(key))


class DealForm(StyledForm):
    """A new deal: where it sits, what it is worth, when it should close, who works on it."""

    name = forms.CharField(label="Deal name", max_length=200)
    account = forms.CharField(label="Account", widget=forms.TextInput(attrs={"list": "account-names", "autocomplete": "off"}))
    pipeline_id = forms.ChoiceField(label="Pipeline")
    stage_id = forms.ChoiceField(label="Stage")
    amount = forms.DecimalField(label="Amount", min_value=0, max_digits=18, decimal_places=2, initial=0)
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR")
    expected_close_date = forms.DateField(label="Expected close date", widget=forms.DateInput(attrs={"type": "date"}))
    owner_id = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args: Any, pipelines: Iterable[Pipeline], people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipelines = list(pipelines)
        self.fields["pipeline_id"].choices = [(str(p.pk), p.name) for p in pipelines]  # type: ignore[attr-defined]
        self.fields["stage_id"].choices = [  # type: ignore[attr-defined]
            (p.name, [(str(s.pk), s.name) for s in p.stages.all() if s.kind == "open"]) for p in pipelines
        ]
        self.fields["owner_id"].choices = _people_choices(people, "Nobody")  # type: ignore[attr-defined]

    def service_data(self, account_id: int) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "account_id": account_id,
            "pipeline_id": int(data["pipeline_id"]),
            "stage_id": int(data["stage_id"]),
            "amount": str(data["amount"]),
            "currency": data["currency"].upper(),
            "expected_close_date": data["expected_close_date"],
            "owner_id": int(data["owner_id"]) if data.get("owner_id") else None,
        }
