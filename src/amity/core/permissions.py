"""Who may do what: the one map from role to permitted actions and record visibility.

Each role grants, per object type, a set of actions and a visibility scope:
`own` (records the user owns), `team` (records owned by anyone in the user's teams) or `all`.
Later apps add their object types here, in this one table, so that a reader sees every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    SALES = "sales"
    MARKETING = "marketing"
    SUPPORT = "support"
    SUPPLY = "supply"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ROLE_CHOICES = [(role.value, role.label) for role in Role]


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class Scope(StrEnum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"


class ObjectType(StrEnum):
    WORKSPACE = "workspace"
    MEMBER = "member"
    INVITATION = "invitation"
    TEAM = "team"
    TOKEN = "token"
    AUDIT_ENTRY = "audit_entry"
    TASK_FAILURE = "task_failure"
    ACCOUNT = "account"
    CONTACT = "contact"
    CUSTOM_FIELD = "custom_field"
    IMPORT = "import"
    INTERACTION = "interaction"
    NOTE = "note"
    TASK = "task"
    NOTIFICATION = "notification"
    SAVED_VIEW = "saved_view"
    OPPORTUNITY = "opportunity"
    PIPELINE = "pipeline"
    PRODUCT = "product"
    PRICE_BOOK = "price_book"
    LEAD = "lead"
    LEAD_RULE = "lead_rule"
    WEB_FORM = "web_form"
    ALERT_RULE = "alert_rule"
    QUOTE = "quote"
    ORDER = "order"
    INVOICE = "invoice"
    PAYMENT = "payment"
    QUOTA = "quota"
    FORECAST = "forecast"
    EXCHANGE_RATE = "exchange_rate"
    CASE = "case"
    CASE_KIND = "case_kind"
    QUEUE = "queue"
    SLA_POLICY = "sla_policy"
    ARTICLE = "article"
    ARTICLE_PUBLICATION = "article_publication"
    SURVEY = "survey"
    DUPLICATE = "duplicate"
    DEDUPE_SETTING = "dedupe_setting"
    PRIVACY_REQUEST = "privacy_request"
    RETENTION_RULE = "retention_rule"


@dataclass(frozen=True)
class Grant:
    actions: frozenset[Action]
    scope: Scope = Scope.ALL


NOTHING = Grant(frozenset())
READ = Grant(frozenset({Action.VIEW}))
FULL = Grant(frozenset(Action))
OWN_FULL = Grant(frozenset(Action), Scope.OWN)
EDIT = Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}))
TEAM_FULL = Grant(frozenset(Action), Scope.TEAM)

# Every role keeps its own API tokens; only owners and admins see everyone's.
_ADMINISTRATION: dict[ObjectType, Grant] = {
    ObjectType.WORKSPACE: Grant(frozenset({Action.VIEW, Action.CHANGE})),
    ObjectType.MEMBER: FULL,
    ObjectType.INVITATION: FULL,
    ObjectType.TEAM: FULL,
    ObjectType.TOKEN: FULL,
    ObjectType.AUDIT_ENTRY: READ,
    ObjectType.TASK_FAILURE: READ,
    # Alert rules are the workspace's settings: owners and admins read and tune them (rows exist per rule, never added or deleted).
    ObjectType.ALERT_RULE: Grant(frozenset({Action.VIEW, Action.CHANGE})),
}
_STAFF: dict[ObjectType, Grant] = {
    ObjectType.WORKSPACE: READ,
    ObjectType.MEMBER: READ,
    ObjectType.INVITATION: NOTHING,
    ObjectType.TEAM: READ,
    ObjectType.TOKEN: OWN_FULL,
    ObjectType.AUDIT_ENTRY: NOTHING,
    ObjectType.TASK_FAILURE: NOTHING,
    ObjectType.ALERT_RULE: NOTHING,
}
_MANAGER: dict[ObjectType, Grant] = {**_STAFF, ObjectType.TEAM: Grant(frozenset({Action.VIEW, Action.CHANGE}), Scope.ALL)}

# The timeline. Everyone who works with customers reads every interaction and note (a shared
# history is the point of a CRM); sales, marketing, support and managers log and edit them
# (services let only the author or a manager+ change someone else's entry). Tasks are visible by
# assignee: owners, admins and managers see all; staff see their team's (their own included), so
# a rep is not flooded by the whole company's to-dos; supply and viewers only read. Notifications
# are personal: each person sees and marks only their own.
_OWN_NOTIFICATIONS = Grant(frozenset({Action.VIEW, Action.CHANGE}), Scope.OWN)
_TIMELINE_FULL: dict[ObjectType, Grant] = {
    ObjectType.INTERACTION: FULL,
    ObjectType.NOTE: FULL,
    ObjectType.TASK: FULL,
    ObjectType.NOTIFICATION: _OWN_NOTIFICATIONS,
}
_TIMELINE_STAFF: dict[ObjectType, Grant] = {**_TIMELINE_FULL, ObjectType.TASK: TEAM_FULL}
_TIMELINE_READ: dict[ObjectType, Grant] = {
    ObjectType.INTERACTION: READ,
    ObjectType.NOTE: READ,
    ObjectType.TASK: Grant(frozenset({Action.VIEW}), Scope.TEAM),
    ObjectType.NOTIFICATION: _OWN_NOTIFICATIONS,
}
_TIMELINE_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    Role.OWNER: _TIMELINE_FULL,
    Role.ADMIN: _TIMELINE_FULL,
    Role.MANAGER: _TIMELINE_FULL,
    Role.SALES: _TIMELINE_STAFF,
    Role.MARKETING: _TIMELINE_STAFF,
    Role.SUPPORT: _TIMELINE_STAFF,
    Role.SUPPLY: _TIMELINE_READ,
    Role.VIEWER: _TIMELINE_READ,
}

# Customer records: everyone in a workspace sees every customer (one shared 360° view); the
# customer-facing roles create and edit them; only owners and admins delete.
_CUSTOMER_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.ACCOUNT: grant, ObjectType.CONTACT: grant, ObjectType.CUSTOM_FIELD: READ}
    for role, grant in {
        Role.OWNER: FULL,
        Role.ADMIN: FULL,
        Role.MANAGER: EDIT,
        Role.SALES: EDIT,
        Role.MARKETING: EDIT,
        Role.SUPPORT: EDIT,
        Role.SUPPLY: READ,
        Role.VIEWER: READ,
    }.items()
}
for _role in (Role.OWNER, Role.ADMIN):
    _CUSTOMER_GRANTS[_role][ObjectType.CUSTOM_FIELD] = FULL
# Saved list views: everyone keeps their own (private or shared); owners and admins also manage others'
# shared views. A private view is seen by its owner alone, whatever the role (the selector says so).
for _role in Role:
    _CUSTOMER_GRANTS[_role][ObjectType.SAVED_VIEW] = FULL if _role in (Role.OWNER, Role.ADMIN) else OWN_FULL

# Imports: the roles that add customers may import them and undo their own imports; owners,
# admins and managers see and undo everyone's.
_IMPORT_OWN = Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}), Scope.OWN)
for _role, _grant in {
    Role.OWNER: FULL,
    Role.ADMIN: FULL,
    Role.MANAGER: EDIT,
    Role.SALES: _IMPORT_OWN,
    Role.MARKETING: _IMPORT_OWN,
    Role.SUPPORT: _IMPORT_OWN,
}.items():
    _CUSTOMER_GRANTS[_role][ObjectType.IMPORT] = _grant

# Duplicates (candidate pairs and the scans that find them): everyone who sees customers sees them;
# the roles that edit customers dismiss a pair that is not one; owners, admins and managers start a
# full scan (heavy work for a large workspace).
_DUPLICATE_REVIEW = Grant(frozenset({Action.VIEW, Action.CHANGE}))
for _role, _grant in {
    Role.OWNER: FULL,
    Role.ADMIN: FULL,
    Role.MANAGER: EDIT,
    Role.SALES: _DUPLICATE_REVIEW,
    Role.MARKETING: _DUPLICATE_REVIEW,
    Role.SUPPORT: _DUPLICATE_REVIEW,
    Role.SUPPLY: READ,
    Role.VIEWER: READ,
}.items():
    _CUSTOMER_GRANTS[_role][ObjectType.DUPLICATE] = _grant
    # Automatic merging folds records together without anyone looking: only owners and admins (who may merge) switch it on;
    # everyone who sees the pairs may read whether it is on.
    _CUSTOMER_GRANTS[_role][ObjectType.DEDUPE_SETTING] = Grant(frozenset({Action.VIEW, Action.CHANGE})) if _grant is FULL else READ

# Sales. Opportunities are seen by owner: reps and managers work their team's deals (a colleague
# can cover for a rep on holiday), owners and admins see every deal; marketing and support read
# them (campaign results, a customer's open deals); supply does not need them; viewers read.
# Pipelines (with their stages and lost reasons) are configured by owners, admins and managers and
# read by everyone who sees deals. The catalog (products, bundles, price books) is kept by owners,
# admins and managers and read by every role: reps price deals with it, supply plans with it.
_SALES_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.OPPORTUNITY: opportunity, ObjectType.PIPELINE: pipeline, ObjectType.PRODUCT: catalog, ObjectType.PRICE_BOOK: catalog}
    for role, (opportunity, pipeline, catalog) in {
        Role.OWNER: (FULL, FULL, FULL),
        Role.ADMIN: (FULL, FULL, FULL),
        Role.MANAGER: (TEAM_FULL, EDIT, EDIT),
        Role.SALES: (TEAM_FULL, READ, READ),
        Role.MARKETING: (READ, READ, READ),
        Role.SUPPORT: (READ, READ, READ),
        Role.SUPPLY: (NOTHING, NOTHING, READ),
        Role.VIEWER: (READ, READ, READ),
    }.items()
}

# Leads. Like deals, reps and managers work their team's leads and owners and admins see all;
# marketing brings most leads in (forms, fairs, campaigns), so it creates, reads and edits every
# lead but deletes none; support and viewers read; supply does not need them. Scoring and
# assignment rules are set by owners, admins and managers and read by everyone who works leads
# (a rep may ask why a lead is hot). Web forms are built by owners, admins, managers and marketing.
_MARKETING_LEADS = Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}))
_LEAD_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.LEAD: lead, ObjectType.LEAD_RULE: rules, ObjectType.WEB_FORM: forms}
    for role, (lead, rules, forms) in {
        Role.OWNER: (FULL, FULL, FULL),
        Role.ADMIN: (FULL, FULL, FULL),
        Role.MANAGER: (TEAM_FULL, EDIT, EDIT),
        Role.SALES: (TEAM_FULL, READ, READ),
        Role.MARKETING: (_MARKETING_LEADS, READ, EDIT),
        Role.SUPPORT: (READ, NOTHING, NOTHING),
        Role.SUPPLY: (NOTHING, NOTHING, NOTHING),
        Role.VIEWER: (READ, READ, READ),
    }.items()
}

# The back office. Reps build, send and revise quotes (every quote is seen by everyone who sees deals:
# a colleague answers a customer's question about it); managers and above also delete drafts. An
# accepted quote becomes an order by itself; supply fulfils and cancels orders, managers and above
# too. Invoices and payments are the finance side: owners, admins and managers issue, send and void
# invoices and record payments; reps, support and supply read them (a customer asks whether they
# paid); only owners and admins delete a payment recorded by mistake. Viewers read everything.
_ORDER_WORK = Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}))
_BILLING_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.QUOTE: quote, ObjectType.ORDER: order, ObjectType.INVOICE: invoice, ObjectType.PAYMENT: payment}
    for role, (quote, order, invoice, payment) in {
        Role.OWNER: (FULL, FULL, FULL, FULL),
        Role.ADMIN: (FULL, FULL, FULL, FULL),
        Role.MANAGER: (FULL, _ORDER_WORK, EDIT, EDIT),
        Role.SALES: (EDIT, READ, READ, READ),
        Role.MARKETING: (READ, NOTHING, NOTHING, NOTHING),
        Role.SUPPORT: (READ, READ, READ, READ),
        Role.SUPPLY: (NOTHING, _ORDER_WORK, READ, NOTHING),
        Role.VIEWER: (READ, READ, READ, READ),
    }.items()
}

# Forecasts follow the deals: who sees a rep's deals sees their quota and forecast. Quotas are set
# by owners and admins for everyone and by managers for their teams; reps read their team's.
# A rep submits their own call (the services check it is their own); managers, admins and owners
# also enter overrides beside their reps' calls (CHANGE).
_QUOTA_GRANTS: dict[Role, Grant] = {
    Role.OWNER: FULL,
    Role.ADMIN: FULL,
    Role.MANAGER: TEAM_FULL,
    Role.SALES: Grant(frozenset({Action.VIEW}), Scope.TEAM),
    Role.MARKETING: READ,
    Role.SUPPORT: READ,
    Role.SUPPLY: NOTHING,
    Role.VIEWER: READ,
}
_FORECAST_GRANTS: dict[Role, Grant] = {
    Role.OWNER: FULL,
    Role.ADMIN: FULL,
    Role.MANAGER: Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}), Scope.TEAM),
    Role.SALES: Grant(frozenset({Action.VIEW, Action.ADD}), Scope.TEAM),
    Role.MARKETING: READ,
    Role.SUPPORT: READ,
    Role.SUPPLY: NOTHING,
    Role.VIEWER: READ,
}
for _role in Role:
    _SALES_GRANTS[_role][ObjectType.QUOTA] = _QUOTA_GRANTS[_role]
    _SALES_GRANTS[_role][ObjectType.FORECAST] = _FORECAST_GRANTS[_role]
    # The corporate currency and the exchange rates (one grant for both) say what every sum of money in the
    # workspace adds up to: only owners and admins set them; every role reads them (a total says which rates it used).
    _SALES_GRANTS[_role][ObjectType.EXCHANGE_RATE] = FULL if _role in (Role.OWNER, Role.ADMIN) else READ

# Customer service. Every role that talks to customers sees every case (a rep asks about their
# customer's complaint; support works them all); support and managers open, answer and change cases;
# reps and marketing open cases for their customers and read the rest; supply works returns; viewers
# read. Nobody deletes a case: it is closed or merged, so its history stays. Kinds, queues, SLA policies and
# business calendars are set by owners, admins and managers and read by everyone who sees cases.
_CASE_OPEN = Grant(frozenset({Action.VIEW, Action.ADD}))
_SERVICE_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.CASE: case, ObjectType.CASE_KIND: settings, ObjectType.QUEUE: settings, ObjectType.SLA_POLICY: settings}
    for role, (case, settings) in {
        Role.OWNER: (EDIT, FULL),
        Role.ADMIN: (EDIT, FULL),
        Role.MANAGER: (EDIT, EDIT),
        Role.SALES: (_CASE_OPEN, READ),
        Role.MARKETING: (_CASE_OPEN, READ),
        Role.SUPPORT: (EDIT, READ),
        Role.SUPPLY: (EDIT, READ),
        Role.VIEWER: (READ, READ),
    }.items()
}

# The knowledge base: support and managers write articles (drafts, submitting for review); managers, admins and
# owners review and publish them (ARTICLE_PUBLICATION); everyone who sees cases reads the published ones.
# Satisfaction answers are read by everyone who sees cases; only owners, admins and managers delete one.
_KB_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.ARTICLE: article, ObjectType.ARTICLE_PUBLICATION: publication, ObjectType.SURVEY: survey}
    for role, (article, publication, survey) in {
        Role.OWNER: (FULL, FULL, FULL),
        Role.ADMIN: (FULL, FULL, FULL),
        Role.MANAGER: (FULL, FULL, FULL),
        Role.SALES: (READ, NOTHING, READ),
        Role.MARKETING: (READ, NOTHING, READ),
        Role.SUPPORT: (EDIT, NOTHING, READ),
        Role.SUPPLY: (READ, NOTHING, READ),
        Role.VIEWER: (READ, NOTHING, READ),
    }.items()
}

# Privacy. A data-subject export hands out everything about a person and an erasure cannot be undone, so
# only owners and admins run them (VIEW: export; ADD: erase) and set the retention rules that delete on a
# schedule. Everyone else, managers included, has no business with them (a manager asks an admin).
_PRIVACY_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {ObjectType.PRIVACY_REQUEST: grant, ObjectType.RETENTION_RULE: grant}
    for role, grant in {
        Role.OWNER: FULL,
        Role.ADMIN: FULL,
        Role.MANAGER: NOTHING,
        Role.SALES: NOTHING,
        Role.MARKETING: NOTHING,
        Role.SUPPORT: NOTHING,
        Role.SUPPLY: NOTHING,
        Role.VIEWER: NOTHING,
    }.items()
}

_BASE_GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    Role.OWNER: {**_ADMINISTRATION, ObjectType.WORKSPACE: FULL},
    Role.ADMIN: _ADMINISTRATION,
    Role.MANAGER: _MANAGER,
    Role.SALES: _STAFF,
    Role.MARKETING: _STAFF,
    Role.SUPPORT: _STAFF,
    Role.SUPPLY: _STAFF,
    Role.VIEWER: _STAFF,
}
GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    role: {
        **_BASE_GRANTS[role],
        **_CUSTOMER_GRANTS[role],
        **_TIMELINE_GRANTS[role],
        **_SALES_GRANTS[role],
        **_LEAD_GRANTS[role],
        **_BILLING_GRANTS[role],
        **_SERVICE_GRANTS[role],
        **_KB_GRANTS[role],
        **_PRIVACY_GRANTS[role],
    }
    for role in Role
}

# Sensitive fields: what some roles may not see of a record they otherwise see. A denied field is left out
# of the record's page, its lists (columns, sorts, filters), exports, global search, the API and the values
# its timeline shows; writing to it is refused (403 naming the field), and a form leaves it as it is.
# The names are the API's field names (`phones` covers every number of a contact, `primary_phone` included).
# A person's private ways to be reached and found, phones and postal addresses (often a home), are for those
# who call, visit, serve and ship to them: marketing reaches people by email and does not need to see
# them, supply ships orders to the order's own address, and viewers (auditors, trainees) only look on.
# A custom field an admin marks sensitive (FieldDefinition.sensitive) is denied to SENSITIVE_CUSTOM_DENIED.
# The personal-data export is not filtered: only owners and admins run it, and it must hold everything.
_PERSONAL_REACH_DENIED = frozenset({Role.MARKETING, Role.SUPPLY, Role.VIEWER})
SENSITIVE_FIELDS: dict[ObjectType, dict[str, frozenset[Role]]] = {
    ObjectType.CONTACT: {"phones": _PERSONAL_REACH_DENIED, "addresses": _PERSONAL_REACH_DENIED},
    # A lead is a contact not yet qualified: its phone is kept from the same roles (its email, like a contact's, is not).
    ObjectType.LEAD: {"phone": _PERSONAL_REACH_DENIED},
}
SENSITIVE_CUSTOM_DENIED = frozenset({Role.MARKETING, Role.SUPPLY, Role.VIEWER})
# The object types whose custom fields can be marked sensitive (those whose doors apply the rule).
SENSITIVE_CUSTOM_TYPES = frozenset({ObjectType.CONTACT, ObjectType.ACCOUNT, ObjectType.LEAD})


def denied_fields(role: str, object_type: str) -> frozenset[str]:
    """The declared fields of `object_type` that `role` may not see (custom fields marked sensitive aside)."""
    declared = SENSITIVE_FIELDS.get(object_type, {})  # type: ignore[call-overload]  # a StrEnum key is found by its text
    return frozenset(name for name, roles in declared.items() if Role(role) in roles)


def denies_sensitive_custom(role: str, object_type: str) -> bool:
    """Whether `role` is kept from the custom fields of `object_type` marked sensitive."""
    return object_type in SENSITIVE_CUSTOM_TYPES and Role(role) in SENSITIVE_CUSTOM_DENIED


# Roles an inviter may hand out: nobody can grant more than they hold.
ASSIGNABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.OWNER: frozenset(Role),
    Role.ADMIN: frozenset(Role) - {Role.OWNER},
}


def grant_for(role: str, object_type: ObjectType) -> Grant:
    return GRANTS[Role(role)].get(object_type, NOTHING)


def can(role: str, action: Action, object_type: ObjectType) -> bool:
    return action in grant_for(role, object_type).actions


def visibility(role: str, object_type: ObjectType) -> Scope:
    grant = grant_for(role, object_type)
    return grant.scope if Action.VIEW in grant.actions else Scope.NONE


# Entries someone wrote on a timeline (interactions, notes) are changed and deleted by their author, or
# by these roles for anyone's; tasks follow their grant's own/team/all scope instead (a rep covers a
# teammate's to-dos). The services refuse the rest; the record pages offer Edit and Delete by the same rule.
ENTRY_MODERATORS = frozenset({Role.OWNER, Role.ADMIN, Role.MANAGER})
AUTHORED_ENTRIES = frozenset({ObjectType.INTERACTION, ObjectType.NOTE})


def can_change_entry(role: str, action: Action, object_type: ObjectType, *, is_author: bool) -> bool:
    """Whether a role may change or delete one timeline entry it sees: its grant, and for a written entry, authorship or moderation."""
    if not can(role, action, object_type):
        return False
    return is_author or object_type not in AUTHORED_ENTRIES or Role(role) in ENTRY_MODERATORS


def can_assign(role: str, target_role: str) -> bool:
    return Role(target_role) in ASSIGNABLE_ROLES.get(Role(role), frozenset())
