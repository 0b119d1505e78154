"""Forms of the deal pages: the board's and list's filters, the new-deal form, and editing a deal, its lines and people.

The rules live in amity.sales.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from amity.core.models import FieldDefinition, Team, User
from amity.sales.models import LineItem, Opportunity, OpportunityContact, Pipeline
from amity.sales.selectors import OpportunityFilter
from amity.web.customer_forms import CustomFieldsMixin, _people_choices, _team_choices
from amity.web.forms import StyledForm
from amity.web.record_forms import custom_initial

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
    # Chosen with the account picker (web/views/deal_pickers.py); the service checks the id is this workspace's.
    account_id = forms.IntegerField(label="Account", min_value=1, error_messages={"required": "Choose an account."})
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

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "account_id": data["account_id"],
            "pipeline_id": int(data["pipeline_id"]),
            "stage_id": int(data["stage_id"]),
            "amount": str(data["amount"]),
            "currency": data["currency"].upper(),
            "expected_close_date": data["expected_close_date"],
            "owner_id": int(data["owner_id"]) if data.get("owner_id") else None,
        }


# --- Editing a deal on its page -------------------------------------------------------------------------------------


def _split_names(text: str) -> list[str]:
    return [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]


class DealEditForm(CustomFieldsMixin):
    """A deal's facts as its page edits them: the amount only while it has no lines, the probability only while open."""

    name = forms.CharField(label="Deal name", max_length=200)
    amount = forms.DecimalField(label="Amount", min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label="Currency", max_length=3)
    expected_close_date = forms.DateField(label="Expected close date", widget=forms.DateInput(attrs={"type": "date"}))
    probability = forms.IntegerField(label="Probability (%)", min_value=0, max_value=100)
    owner_id = forms.ChoiceField(label="Owner", required=False)
    next_step = forms.CharField(label="Next step", required=False, max_length=300)
    competitors = forms.CharField(label="Competitors", required=False, help_text="Separate names with commas.")

    def __init__(
        self,
        *args: Any,
        deal: Opportunity,
        has_lines: bool,
        people: Iterable[User],
        definitions: Iterable[FieldDefinition],
        **kwargs: Any,
    ) -> None:
        people = list(people)
        super().__init__(*args, **kwargs)
        self.deal, self.has_lines = deal, has_lines
        self.fields["owner_id"].choices = _people_choices(people, "Nobody")  # type: ignore[attr-defined]
        if has_lines:
            del self.fields["amount"], self.fields["currency"]
        if deal.status != Opportunity.Status.OPEN:
            del self.fields["probability"]
        self.add_custom_fields(definitions, people)

    @staticmethod
    def initial_for(deal: Opportunity, definitions: Iterable[FieldDefinition]) -> dict[str, Any]:
        custom = deal.custom or {}
        return {
            "name": deal.name,
            "amount": deal.amount,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "probability": deal.probability,
            "owner_id": str(deal.owner_id or ""),
            "next_step": deal.next_step,
            "competitors": ", ".join(deal.competitors or []),
            **{f"custom.{d.key}": custom_initial(d, custom.get(d.key)) for d in definitions},
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "name": data["name"],
            "expected_close_date": data["expected_close_date"],
            "owner_id": int(data["owner_id"]) if data.get("owner_id") else None,
            "next_step": data["next_step"],
            "competitors": _split_names(data["competitors"]),
        }
        if "amount" in self.fields:
            values |= {"amount": str(data["amount"]), "currency": data["currency"].upper()}
        if "probability" in self.fields and data["probability"] != self.deal.probability:
            values["probability"] = data["probability"]
        if self.custom_names:
            values["custom"] = self.custom_values()
        return values


class LineForm(StyledForm):
    """One line of a deal: a product from the catalog (priced for the deal's account) or, when editing, its figures."""

    # Chosen with the product picker (web/views/deal_pickers.py); the service checks the id is this workspace's.
    product_id = forms.IntegerField(label="Product", min_value=1, error_messages={"required": "Choose a product."})
    quantity = forms.DecimalField(label="Quantity", min_value=Decimal("0.001"), max_digits=12, decimal_places=3, initial=1)
    unit_price = forms.DecimalField(
        label="Unit price", required=False, min_value=0, max_digits=18, decimal_places=2, help_text="Empty: the price from the catalog."
    )
    discount_percent = forms.DecimalField(label="Discount (%)", required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["product_id"]
            self.fields["unit_price"].required = True
            self.fields["unit_price"].help_text = ""

    @staticmethod
    def initial_for(line: LineItem) -> dict[str, Any]:
        return {"quantity": line.quantity.normalize(), "unit_price": line.unit_price, "discount_percent": line.discount_percent.normalize()}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {key: str(data[key]) for key in ("quantity", "unit_price", "discount_percent") if data.get(key) is not None}
        if "product_id" in self.fields:
            values["product_id"] = data["product_id"]
        values.setdefault("discount_percent", "0")
        return values


class ProductPickForm(StyledForm):
    """The quote builder's "Add a product" box: its picker's choice becomes a line on the page (assets/quote_builder.js)."""

    product_id = forms.IntegerField(label="Add a product", required=False)


class DealContactForm(StyledForm):
    """A person on a deal and their part in it."""

    # Chosen with the person picker (web/views/deal_pickers.py); the service checks the id is this workspace's.
    contact_id = forms.IntegerField(label="Person", min_value=1, error_messages={"required": "Choose a person."})
    role = forms.ChoiceField(label="Role", choices=OpportunityContact.Role.choices)
    is_primary = forms.BooleanField(label="Primary contact", required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["contact_id"]
