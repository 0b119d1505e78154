"""The data set the list, search and 360° scenarios share: one workspace of a CRM at a million customers.

At scale 1: 200,000 accounts (each with a web domain), 1,000,000 contacts (an email each, a phone for
every third, nine in ten working at an account, three custom fields), 5,000,000 interactions over two
years (each with one contact, every fourth with the contact's account too), the search index of every
contact and account, and one *showcase* contact (`Ada Showcase`, at `Showcase Industries`) whose
timeline holds exactly 500 entries: 350 interactions, 75 notes, 50 tasks and 25 changes.

It is seeded once, by whichever of those scenarios runs first, and kept under its own marker
(`_dataset`): the others find it there. Every value is a pure function of a row's number, so the
scenarios can name records (an email, a phone, a name) without reading the database, and a run
builds the same data on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from bench import database
from bench.scenario import SeedContext, Stopwatch, scaled

VERSION = 1
MARKER = "_dataset"
HISTORY_DAYS = 730


def _words(text: str) -> list[str]:
    return text.split()


SHOWCASE = {"interactions": 350, "notes": 75, "tasks": 50, "changes": 25}  # 500 timeline entries in all

FIRST_NAMES = _words("""Ada Alan Grace Edsger Barbara Donald Frances Ken Margaret Niklaus Radia Tim Linus Guido Bjarne James Dennis
Katherine Dorothy Mary Annie Hedy Joan Sophie Lynn Anita Jean Betty Marlyn Ruth Kathleen Adele Evelyn Ida Karen Shafi Leslie
John Peter Paul Mark Luke Anna Maria Elena Sofia Lucia Marta Clara Julia Laura Emma Olivia Liam Noah Oliver Elijah Lucas Mason
Ethan Aiden Logan Jacob Amelia Harper Isabella Mia Charlotte Abigail Emily Ella Avery Scarlett Chloe Aria Zoe Nora Hannah Lily
Omar Yusuf Amir Hassan Layla Fatima Aisha Mei Wei Jun Hiro Yuki Akira Sakura Priya Arjun Ravi Anil Deepa Kofi Ama Kwame Chidi
Ngozi Zara Ines Pablo Diego Mateo Carmen Lola Nils Astrid Sven Freya Lars Ingrid Pieter Sanne Daan Femke Jakub Zofia""")
SURNAME_HEADS = _words(
    "Ash Bell Black Brook Carr Dal Eld Fair Fox Glen Gold Hart Hol Ing Kel Lang Marsh Mill Nor Oak Pen Quil Red Rid Stan Thorn Wal West Whit Wood"
)
SURNAME_MIDDLES = _words("a e i o u ber den dle fin gan ham kin lan mer nor pe ril sa ten ver wel ble cas dor")
SURNAME_TAILS = _words("son ton ley by field ford man stein berg well more wick worth ham shaw croft hurst land ridge ville")
COMPANY_FIRST = _words("""North South East West Blue Green Red Silver Golden Bright Swift Clear Prime Nova Astra Terra Aqua Polar Solar
Lunar Iron Stone River Ocean Summit Valley Cedar Maple Pine Oak Falcon Eagle Lion Tiger Wolf Bear Orbit Pixel Quantum Vector
Delta Sigma Alpha Omega Apex Zenith Vertex Nimbus Cirrus Crystal Granite Harbor Beacon Compass Anchor Atlas Titan Echo Pulse""")
COMPANY_SECOND = _words("""Analytics Systems Labs Logistics Foods Energy Robotics Health Media Capital Works Studios Motors Software
Networks Solutions Dynamics Industries Partners Holdings Ventures Supply Textiles Pharma Retail Travel Games Security Cloud Data
Design Foundry Farms Brewing Mining Marine Aviation Rail Build Homes Tools Optics Audio Print Paper Glass Metals Chemicals Water
Power Telecom Insurance Finance Legal Learning Sports Fashion Beauty""")
COMPANY_KINDS = ["Ltd", "Inc", "GmbH", "SA", "BV", "LLC", "AG", "plc"]
AREA_CODES = ["202", "212", "305", "312", "415", "503", "512", "617", "646", "702", "718", "917"]
FREE_MAIL = ["mail.example", "post.example", "inbox.example"]
STAGES = ["lead", "customer", "customer", "opportunity", "subscriber", "churned"]
TIERS = ["gold", "silver", "bronze"]
CHANNELS = ["email", "phone", "meeting", "chat", "sms", "web", "social", "letter", "in_person"]
SUBJECTS = ["Intro call", "Follow-up", "Quote sent", "Renewal talk", "Support question", "Demo", "Check-in", "Invoice query"]

CONTACT_COLUMNS = [
    "workspace", "first_name", "last_name", "title", "primary_email", "primary_phone", "preferred_channel", "language",
    "time_zone", "social", "lifecycle_stage", "source", "external_id", "custom", "created_at", "updated_at", "deleted_at",
    "owner", "team",
]  # fmt: skip
ACCOUNT_COLUMNS = [
    "workspace", "name", "industry", "size", "revenue_currency", "lifecycle_stage", "source", "custom", "created_at", "updated_at",
    "owner",
]  # fmt: skip
INTERACTION_COLUMNS = [
    "workspace", "channel", "direction", "occurred_at", "duration_seconds", "subject", "body", "outcome", "created_by",
    "created_at", "updated_at",
]  # fmt: skip
SEARCH_COLUMNS = ["workspace", "object_type", "object_id", "owner", "title", "subtitle", "title_key", "text", "updated_at"]


def params(scale: float) -> dict[str, Any]:
    """The data set's sizes at this scale; scenarios put them in their own seed key, so a new data set reseeds them."""
    return {
        "dataset": VERSION,
        "contacts": scaled(1_000_000, scale, minimum=2000),
        "accounts": scaled(200_000, scale, minimum=400),
        "interactions": scaled(5_000_000, scale, minimum=10_000),
    }


# --- Every value a function of the row's number ------------------------------------------------------


def _mix(number: int, salt: int) -> int:
    """A well-spread pseudo-random 32-bit number for (row, salt): the same on every run."""
    value = (number + 1) * 2654435761 + salt * 97531
    value ^= value >> 15
    return (value * 2246822519) % 4294967296


def first_name(n: int) -> str:
    return "Ada" if n == 0 else FIRST_NAMES[_mix(n, 1) % len(FIRST_NAMES)]


def last_name(n: int) -> str:
    if n == 0:
        return "Showcase"
    h = _mix(n, 2)
    heads, middles, tails = len(SURNAME_HEADS), len(SURNAME_MIDDLES), len(SURNAME_TAILS)
    return SURNAME_HEADS[h % heads] + SURNAME_MIDDLES[(h // heads) % middles] + SURNAME_TAILS[(h // (heads * middles)) % tails]


def account_of(n: int, accounts: int) -> int | None:
    """The account (by number) contact `n` works at; one contact in ten works at none."""
    return None if n % 10 == 9 else n % accounts


def account_name(a: int) -> str:
    if a == 0:
        return "Showcase Industries"
    h = _mix(a, 3)
    firsts, seconds = len(COMPANY_FIRST), len(COMPANY_SECOND)
    kind = COMPANY_KINDS[(h // (firsts * seconds)) % len(COMPANY_KINDS)]
    return f"{COMPANY_FIRST[h % firsts]} {COMPANY_SECOND[(h // firsts) % seconds]} {kind}"


def account_domain(a: int) -> str:
    return "".join(account_name(a).lower().split()[:2]) + f"{a}.com"


def email(n: int, accounts: int) -> str:
    account = account_of(n, accounts)
    domain = account_domain(account) if account is not None else FREE_MAIL[n % len(FREE_MAIL)]
    return f"{first_name(n)}.{last_name(n)}.{n}@{domain}".lower()


def phone(n: int) -> str:
    """Every third contact's mobile, E.164; unique."""
    if n % 3:
        return ""
    return f"+1{AREA_CODES[_mix(n, 4) % len(AREA_CODES)]}{200 + (n // 10000) % 800:03d}{n % 10000:04d}"


def score(n: int) -> str | None:
    """The `score` custom field (a number from 0 to 999); one contact in five has none."""
    return None if n % 5 == 4 else str(_mix(n, 5) % 1000)


def _custom(n: int, start: date) -> dict[str, Any]:
    custom: dict[str, Any] = {"tier": TIERS[_mix(n, 6) % 3]}
    if (value := score(n)) is not None:
        custom["score"] = value
    if n % 4:
        custom["renewal"] = (start + timedelta(days=_mix(n, 7) % HISTORY_DAYS)).isoformat()
    return custom


# --- Seeding ---------------------------------------------------------------------------------------------


def ensure(ctx: SeedContext) -> dict[str, Any]:
    """The data set's state (workspace, token, showcase ids), seeding it first when it is missing or of other sizes."""
    wanted = {key: value for key, value in ctx.params.items() if key in {"dataset", "contacts", "accounts", "interactions"}}
    key = json.dumps(wanted, sort_keys=True)
    marker = database.read_marker(MARKER)
    if marker is not None and marker[0] == key:
        print(f"  reusing the data set {key}", flush=True)
        return marker[1]
    if marker is not None:
        from amity.core.models import User

        with Stopwatch() as watch:
            database.purge_workspaces(marker[1]["_owned_workspaces"])
            User.objects.filter(pk__in=marker[1]["_owned_users"]).delete()
        print(f"  removed the old data set in {watch.seconds:.0f} s", flush=True)
    seeding = SeedContext(scenario="dataset", params=wanted, database=ctx.database)
    with Stopwatch() as watch:
        state = _seed(seeding)
    print(f"  seeded the data set {key} in {watch.seconds:.0f} s", flush=True)
    ctx.figures.extend(seeding.figures)
    state |= {"_owned_workspaces": seeding.owned_workspaces, "_owned_users": seeding.owned_users}
    database.write_marker(MARKER, key, state)
    return state


def _insert_numbered(ctx: SeedContext, model: Any, columns: list[str], rows: Iterator[tuple[Any, ...]], count: int) -> int:
    """Insert `count` rows and return the id of the first: they get consecutive ids (checked), so links can be computed.

    The first id is read after the insert: a sequence never goes back, so after a purge it is past the old rows.
    """
    rows_of = model._base_manager
    before = rows_of.order_by("-pk").values_list("pk", flat=True).first() or 0
    ctx.bulk_insert_rows(model, columns, rows)
    first_id = int(rows_of.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True).first() or 0)
    last_id = first_id + count - 1
    if rows_of.filter(pk__range=(first_id, last_id)).count() != count or rows_of.filter(pk__gt=last_id).exists():
        raise RuntimeError(f"{model.__name__} ids are not consecutive; the rows linked to them would point at the wrong ones")
    return first_id


def _seed(ctx: SeedContext) -> dict[str, Any]:
    from amity.core.models import FieldDefinition
    from amity.customers.models import Account, AccountContact, AccountDomain, Contact, ContactEmail, ContactPhone

    state = ctx.workspace_with_token(name="Bench data set")
    workspace_id, owner_id = state["workspace_id"], state["user_id"]
    sizes = ctx.params
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=HISTORY_DAYS)
    count, accounts = sizes["contacts"], sizes["accounts"]

    first_account = _insert_numbered(ctx, Account, ACCOUNT_COLUMNS, _accounts(workspace_id, owner_id, accounts, start), accounts)
    ctx.bulk_insert_rows(
        AccountDomain, ["workspace", "account", "domain"], ((workspace_id, first_account + a, account_domain(a)) for a in range(accounts))
    )
    first_contact = _insert_numbered(ctx, Contact, CONTACT_COLUMNS, _contacts(workspace_id, owner_id, count, accounts, start), count)
    ctx.bulk_insert_rows(
        ContactEmail,
        ["workspace", "contact", "address", "is_primary"],
        ((workspace_id, first_contact + n, email(n, accounts), True) for n in range(count)),
    )
    ctx.bulk_insert_rows(
        ContactPhone,
        ["workspace", "contact", "number", "kind", "is_primary"],
        ((workspace_id, first_contact + n, phone(n), "mobile", True) for n in range(0, count, 3)),
    )
    links = ((n, account_of(n, accounts)) for n in range(count))
    ctx.bulk_insert_rows(
        AccountContact,
        ["workspace", "account", "contact", "role", "title"],
        ((workspace_id, first_account + a, first_contact + n, "", "") for n, a in links if a is not None),
    )
    for key, label, kind, options in [
        ("score", "Score", "number", []),
        ("renewal", "Renewal", "date", []),
        ("tier", "Tier", "choice", TIERS),
    ]:
        FieldDefinition.objects.create(workspace_id=workspace_id, object_type="contact", key=key, label=label, type=kind, options=options)
    _index_custom_fields()
    _interactions(ctx, workspace_id, owner_id, sizes["interactions"], count, accounts, first_contact, first_account, start)
    _showcase(ctx, workspace_id, owner_id, first_contact, first_account, now)
    _search_index(ctx, workspace_id, owner_id, count, accounts, first_contact, first_account, now)
    return state | {
        "first_contact_id": first_contact,
        "first_account_id": first_account,
        "showcase_contact_id": first_contact,
        "showcase_account_id": first_account,
    }


def _index_custom_fields() -> None:
    """Build the custom fields' list indexes now, as the background task would after an admin defines them."""
    from amity.core.custom_field_indexes import sync_index

    for key, kind in [("score", "number"), ("renewal", "date"), ("tier", "choice")]:
        with Stopwatch() as watch:
            sync_index(object_type="contact", key=key, field_type=kind)
        print(f"  indexed custom field {key} in {watch.seconds:.1f} s", flush=True)


def _accounts(workspace_id: int, owner_id: int, count: int, start: datetime) -> Iterator[tuple[Any, ...]]:
    step = timedelta(days=HISTORY_DAYS) / count
    for a in range(count):
        created = start + step * a
        yield (workspace_id, account_name(a), "Software", "10-49", "USD", "customer", "bench", {}, created, created, owner_id)


def _contacts(workspace_id: int, owner_id: int, count: int, accounts: int, start: datetime) -> Iterator[tuple[Any, ...]]:
    """People created over two years, oldest first, so ids and creation times rise together."""
    step = timedelta(days=HISTORY_DAYS) / count
    for n in range(count):
        created = start + step * n
        yield (
            workspace_id, first_name(n), last_name(n), "Buyer", email(n, accounts), phone(n), "email", "en", "", {},
            STAGES[n % len(STAGES)], "bench", None, _custom(n, start.date()), created, created, None, owner_id, None,
        )  # fmt: skip


def _interactions(
    ctx: SeedContext,
    workspace_id: int,
    owner_id: int,
    count: int,
    contacts: int,
    accounts: int,
    first_contact: int,
    first_account: int,
    start: datetime,
) -> None:
    """`count` interactions over two years, each with one contact (never the showcase) and every fourth with its account."""
    from amity.activities.models import Interaction

    step = timedelta(days=HISTORY_DAYS) / count

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            at = start + step * i
            channel = CHANNELS[i % len(CHANNELS)]
            body = f"<p>Talked about the {SUBJECTS[i % 8].lower()}.</p>" if i % 5 == 0 else ""
            duration = 60 + i % 1800 if channel in {"phone", "meeting"} else None
            yield (workspace_id, channel, "out" if i % 3 else "in", at, duration, SUBJECTS[i % 8], body, "", owner_id, at, at)

    first = _insert_numbered(ctx, Interaction, INTERACTION_COLUMNS, rows(), count)
    ctx.bulk_insert_rows(
        Interaction.contacts.through, ["interaction", "contact"], ((first + i, first_contact + _person(i, contacts)) for i in range(count))
    )

    def account_links() -> Iterator[tuple[int, int]]:
        for i in range(0, count, 4):
            account = account_of(_person(i, contacts), accounts)
            if account is not None:
                yield (first + i, first_account + account)

    ctx.bulk_insert_rows(Interaction.accounts.through, ["interaction", "account"], account_links())


def _person(i: int, contacts: int) -> int:
    """The contact (by number) interaction `i` is with: anyone but the showcase contact."""
    return 1 + _mix(i, 8) % (contacts - 1)


def _showcase(ctx: SeedContext, workspace_id: int, owner_id: int, contact_id: int, account_id: int, now: datetime) -> None:
    """The showcase contact's 500 timeline entries over the last year: interactions, notes, tasks and changes."""
    from amity.activities.models import Interaction, Note, Task
    from amity.core.models import AuditEntry

    year = timedelta(days=365)
    moments = iter([now - year * (k + 1) / sum(SHOWCASE.values()) for k in range(sum(SHOWCASE.values()))])  # distinct, newest first

    def interactions() -> Iterator[tuple[Any, ...]]:
        for k in range(SHOWCASE["interactions"]):
            at = next(moments)
            subject = f"Showcase {SUBJECTS[k % 8].lower()}"
            yield (workspace_id, CHANNELS[k % 9], "out", at, None, subject, f"<p>Entry {k}.</p>", "", owner_id, at, at)

    def notes() -> Iterator[tuple[Any, ...]]:
        for k in range(SHOWCASE["notes"]):
            at = next(moments)
            yield (workspace_id, f"<p>Note {k}: called back about the order.</p>", owner_id, contact_id, None, at, at)

    def tasks() -> Iterator[tuple[Any, ...]]:
        for k in range(SHOWCASE["tasks"]):
            at = next(moments)
            status = "done" if k % 2 else "open"
            yield (
                workspace_id,
                f"Showcase task {k}",
                "",
                at + timedelta(days=7),
                "normal",
                status,
                owner_id,
                owner_id,
                contact_id,
                None,
                at,
                at,
            )

    def changes() -> Iterator[tuple[Any, ...]]:
        for _ in range(SHOWCASE["changes"]):
            at = next(moments)
            change = {"lifecycle_stage": ["lead", "customer"]}
            yield (workspace_id, at, owner_id, None, "bench", "web", "update", "customers.contact", str(contact_id), "Ada Showcase", change)

    count = SHOWCASE["interactions"]
    first = _insert_numbered(ctx, Interaction, INTERACTION_COLUMNS, interactions(), count)
    ctx.bulk_insert_rows(Interaction.contacts.through, ["interaction", "contact"], ((first + k, contact_id) for k in range(count)))
    ctx.bulk_insert_rows(Interaction.accounts.through, ["interaction", "account"], ((first + k, account_id) for k in range(0, count, 2)))
    ctx.bulk_insert_rows(Note, ["workspace", "body", "author", "contact", "account", "created_at", "updated_at"], notes())
    task_columns = ["workspace", "title", "description", "due_at", "priority", "status", "assignee", "created_by", "contact", "account"]
    ctx.bulk_insert_rows(Task, [*task_columns, "created_at", "updated_at"], tasks())
    audit_columns = ["workspace", "created_at", "actor", "token", "actor_label", "door", "action", "object_type", "object_id"]
    ctx.bulk_insert_rows(AuditEntry, [*audit_columns, "object_repr", "changes"], changes())


def _search_index(
    ctx: SeedContext, workspace_id: int, owner_id: int, contacts: int, accounts: int, first_contact: int, first_account: int, now: datetime
) -> None:
    """Index rows for every contact and account, written as `amity.search.record_types` writes them, and the title vocabulary."""
    from amity.search.models import SearchDocument, SearchTerm
    from amity.search.text import document_text, fold, phone_forms, sensitive_text, title_words

    vocabulary: set[str] = set()

    def contact_rows() -> Iterator[tuple[Any, ...]]:
        for n in range(contacts):
            first, last, address, number = first_name(n), last_name(n), email(n, accounts), phone(n)
            account = account_of(n, accounts)
            names = [account_name(account)] if account is not None else []
            title = f"{first} {last}"
            vocabulary.update(word[:100] for word in title_words(title))
            subtitle = " · ".join(part for part in [address, ", ".join(names)] if part)
            phones = sensitive_text("phones", *(phone_forms(number) if number else []))
            text = " ".join(part for part in (document_text(first, last, address, *names), phones) if part)
            yield (workspace_id, "contact", first_contact + n, owner_id, title, subtitle, fold(title)[:300], text, now)

    def account_rows() -> Iterator[tuple[Any, ...]]:
        for a in range(accounts):
            name, domain = account_name(a), account_domain(a)
            vocabulary.update(word[:100] for word in title_words(name))
            subtitle = " · ".join(part for part in [domain, "Software"] if part)
            yield (workspace_id, "account", first_account + a, owner_id, name, subtitle, fold(name)[:300], document_text(name, domain), now)

    ctx.bulk_insert_rows(SearchDocument, SEARCH_COLUMNS, contact_rows())
    ctx.bulk_insert_rows(SearchDocument, SEARCH_COLUMNS, account_rows())
    ctx.bulk_insert_rows(SearchTerm, ["workspace", "term"], ((workspace_id, term) for term in sorted(vocabulary)))
