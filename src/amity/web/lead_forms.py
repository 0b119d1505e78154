"""Forms of the lead pages and of Settings → Lead scoring, Lead assignment and Web forms; the rules live in amity.sales.services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from amity.activities.models import Channel, Direction
from amity.core.models import Team, User
from amity.sales.lead_rules import RULE_FIELDS
from amity.sales.models import Lead, LeadScoringRule, Pipeline, RuleOperator
from amity.sales.selectors import LeadFilter
from amity.web.customer_forms import _people_choices, _team_choices
from amity.web.forms import StyledForm

SORTS = [
    ("-created_at", "Newest first"),
    ("-score", "Highest score"),
    ("last_name", "Name"),
    ("company", "Company"),
    ("-updated_at", "Recently changed"),
]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class LeadFilterForm(StyledForm):
    """The filter bar of the lead list; field names are the list's query parameters."""

    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(attrs={"placeholder": "Name, company or email"}))
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Lead.Status.choices])
    rating = forms.ChoiceField(label="Rating", required=False, choices=[("", "Any rating"), *Lead.Rating.choices])
    owner_id = forms.ChoiceField(label="Owner", required=False)
    source = forms.CharField(label="Source", required=False)
    score_min = forms.IntegerField(label="Score from", required=False)
    sort = forms.ChoiceField(label="Sort", required=False, choices=SORTS)

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _people_choices(people, "Anyone")
        choices.insert(1, ("none", "Nobody (unassigned)"))
        self.fields["owner_id"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> LeadFilter:
        data = self.cleaned_data if self.is_valid() else {}
        owner = data.get("owner_id") or ""
        return LeadFilter(
            q=data.get("q") or None,
            status=data.get("status") or None,
            rating=data.get("rating") or None,
            owner_id=int(owner) if owner.isdigit() else None,
            unassigned=owner == "none",
            source=data.get("source") or None,
            score_min=data.get("score_min"),
        )

    def chosen_sort(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "-created_at"


class LeadForm(StyledForm):
    """A lead by hand: who, where they work, how to reach them, how hot, who works it."""

    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    email = forms.CharField(label="Email", required=False, max_length=254, widget=forms.EmailInput)
    phone = forms.CharField(label="Phone", required=False, max_length=40, widget=forms.TextInput(attrs={"type": "tel"}))
    company = forms.CharField(label="Company", required=False, max_length=200)
    title = forms.CharField(label="Job title", required=False, max_length=150)
    website = forms.CharField(label="Website", required=False, max_length=300)
    industry = forms.CharField(label="Industry", required=False, max_length=100)
    country = forms.CharField(label="Country", required=False, max_length=2, help_text="Two letters, e.g. DE or US.")
    region = forms.CharField(label="Region", required=False, max_length=100)
    city = forms.CharField(label="City", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    status = forms.ChoiceField(label="Status", choices=[c for c in Lead.Status.choices if c[0] != Lead.Status.CONVERTED])
    rating = forms.ChoiceField(label="Rating", required=False, choices=[("", "Not rated"), *Lead.Rating.choices])
    source = forms.CharField(label="Source", required=False, max_length=100)
    campaign = forms.CharField(label="Campaign", required=False, max_length=200)
    owner_id = forms.ChoiceField(label="Owner", required=False, help_text="Left empty, the assignment rules choose (else you).")
    team_id = forms.ChoiceField(label="Team", required=False)
    tags = forms.CharField(label="Tags", required=False, help_text="Separated by commas.")
    description = forms.CharField(label="Notes", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, people: Iterable[User], teams: Iterable[Team], hidden: frozenset[str] = frozenset(), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = _people_choices(people, "By the assignment rules")  # type: ignore[attr-defined]
        self.fields["team_id"].choices = _team_choices(teams, "No team")  # type: ignore[attr-defined]
        for name in hidden & set(self.fields):  # a field the role may not see is neither shown nor sent (its value is kept)
            del self.fields[name]

    @staticmethod
    def initial_for(lead: Lead) -> dict[str, Any]:
        fields = [name for name in LeadForm.base_fields if name not in {"owner_id", "team_id", "tags"}]
        initial: dict[str, Any] = {name: getattr(lead, name) for name in fields}
        initial.update(
            owner_id=str(lead.owner_id or ""),
            team_id=str(lead.team_id or ""),
            tags=", ".join(sorted(tag.name for tag in lead.tags.all())),
        )
        return initial

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        owner, team = data.pop("owner_id"), data.pop("team_id")
        data["tags"] = _split(data.pop("tags") or "")
        if owner or not creating:
            data["owner_id"] = int(owner) if owner else None
        data["team_id"] = int(team) if team else None
        return data


class ConvertForm(StyledForm):
    """What to make of a lead: the deal is optional; the contact and account are matched or made."""

    use_contact = forms.BooleanField(label="Use the matching contact", required=False, initial=True)
    use_account = forms.BooleanField(label="Use the matching account", required=False, initial=True)
    create_opportunity = forms.BooleanField(label="Create a deal", required=False, initial=True)
    name = forms.CharField(label="Deal name", required=False, max_length=200)
    pipeline_id = forms.ChoiceField(label="Pipeline", required=False)
    stage_id = forms.ChoiceField(label="Stage", required=False)
    amount = forms.DecimalField(label="Amount", required=False, min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label="Currency", required=False, max_length=3, initial="EUR")
    expected_close_date = forms.DateField(label="Expected close date", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, pipelines: Iterable[Pipeline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipelines = list(pipelines)
        self.fields["pipeline_id"].choices = [(str(p.pk), p.name) for p in pipelines]  # type: ignore[attr-defined]
        self.fields["stage_id"].choices = [  # type: ignore[attr-defined]
            (p.name, [(str(s.pk), s.name) for s in p.stages.all() if s.kind == "open"]) for p in pipelines
        ]

    def deal(self) -> dict[str, Any]:
        data = self.cleaned_data
        deal: dict[str, Any] = {"name": data.get("name") or None, "currency": (data.get("currency") or "EUR").upper()}
        for name in ("pipeline_id", "stage_id"):
            if data.get(name):
                deal[name] = int(data[name])
        if data.get("amount") is not None:
            deal["amount"] = str(data["amount"])
        if data.get("expected_close_date"):
            deal["expected_close_date"] = data["expected_close_date"]
        return deal


def _rule_field_choices(custom: Iterable[tuple[str, str]], hidden: frozenset[str]) -> list[tuple[str, Any]]:
    """The lead fields a rule may test, without those the user's role may not see (their rules would tell the values)."""
    lead = [(name, label) for name, label in RULE_FIELDS.items() if name not in hidden]
    return [("", "Choose a field…"), ("Lead", lead), ("Custom fields", [(name, label) for name, label in custom if name not in hidden])]


class ScoringRuleForm(StyledForm):
    """A scoring rule: points for a field's value, or for each interaction of a kind."""

    name = forms.CharField(label="Rule", max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Decision maker"}))
    kind = forms.ChoiceField(label="Kind", choices=LeadScoringRule.Kind.choices)
    field = forms.ChoiceField(label="Field", required=False)
    operator = forms.ChoiceField(label="Test", required=False, choices=[("", "—"), *RuleOperator.choices])
    value = forms.CharField(label="Value", required=False, max_length=500)
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "Any channel"), *Channel.choices])
    direction = forms.ChoiceField(label="Direction", required=False, choices=[("", "Any direction"), *Direction.choices])
    max_times = forms.IntegerField(label="Count at most", required=False, min_value=1, max_value=1000)
    points = forms.IntegerField(label="Points", min_value=-1000, max_value=1000, initial=10)

    def __init__(self, *args: Any, custom: Iterable[tuple[str, str]] = (), hidden: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _rule_field_choices(custom, hidden)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AssignmentRuleForm(StyledForm):
    """An assignment rule: which leads (territory, a field) go to whom (one person, or a team in turn)."""

    name = forms.CharField(label="Rule", max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. DACH to the Berlin team"}))
    countries = forms.CharField(label="Countries", required=False, help_text="ISO codes separated by commas, e.g. DE, AT, CH.")
    regions = forms.CharField(label="Regions", required=False, help_text="Separated by commas.")
    postcode_prefixes = forms.CharField(label="Postcodes starting with", required=False, help_text="Separated by commas, e.g. 10, 12.")
    field = forms.ChoiceField(label="Field", required=False)
    operator = forms.ChoiceField(label="Test", required=False, choices=[("", "—"), *RuleOperator.choices])
    value = forms.CharField(label="Value", required=False, max_length=500)
    assign_to_id = forms.ChoiceField(label="Give to", required=False)
    team_id = forms.ChoiceField(label="…or in turn to the team", required=False)

    def __init__(
        self,
        *args: Any,
        people: Iterable[User],
        teams: Iterable[Team],
        custom: Iterable[tuple[str, str]] = (),
        hidden: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _rule_field_choices(custom, hidden)  # type: ignore[attr-defined]
        self.fields["assign_to_id"].choices = _people_choices(people, "Nobody in particular")  # type: ignore[attr-defined]
        self.fields["team_id"].choices = _team_choices(teams, "No team")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("countries", "regions", "postcode_prefixes"):
            data[name] = _split(data[name] or "")
        data["assign_to_id"] = int(data["assign_to_id"]) if data.get("assign_to_id") else None
        data["team_id"] = int(data["team_id"]) if data.get("team_id") else None
        return data


class WebFormForm(StyledForm):
    """A web form: its fields, what the visitor sees after sending it, and where its leads go."""

    name = forms.CharField(label="Form name", max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Contact us page"}))
    shown = forms.MultipleChoiceField(label="Fields shown", widget=forms.CheckboxSelectMultiple)
    required = forms.MultipleChoiceField(label="Required fields", required=False, widget=forms.CheckboxSelectMultiple)
    submit_label = forms.CharField(label="Button label", max_length=60, initial="Send")
    thank_you_message = forms.CharField(
        label="Thank-you message", max_length=1000, initial="Thank you! We will be in touch soon.", widget=forms.Textarea(attrs={"rows": 2})
    )
    redirect_url = forms.CharField(
        label="Or send visitors to", required=False, max_length=500, help_text="A full address; the message is then not shown."
    )
    consent_text = forms.CharField(
        label="Consent checkbox", required=False, max_length=500, help_text="Leave empty to not ask for marketing consent."
    )
    owner_id = forms.ChoiceField(label="Leads go to", required=False)
    source = forms.CharField(label="Source", max_length=100, initial="Web form")
    campaign = forms.CharField(label="Campaign", required=False, max_length=200)
    tags = forms.CharField(label="Tags", required=False, help_text="Separated by commas.")
    active = forms.BooleanField(label="Taking submissions", required=False, initial=True)

    def __init__(self, *args: Any, people: Iterable[User], field_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(field_labels.items())
        self.fields["shown"].choices = choices  # type: ignore[attr-defined]
        self.fields["required"].choices = choices  # type: ignore[attr-defined]
        self.fields["owner_id"].choices = _people_choices(people, "The assignment rules")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields"] = data.pop("shown")
        data["owner_id"] = int(data["owner_id"]) if data.get("owner_id") else None
        data["tags"] = _split(data.get("tags") or "")
        return data
