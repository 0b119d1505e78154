"""The import pages: upload, mapping, dry run, progress, results, log, undo, and who may see and do what."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.core.models import FieldDefinition
from amity.core.permissions import Role
from amity.customers import services as customer_services
from amity.customers.models import Account, Contact
from amity.imports import services
from amity.imports.models import Import, ImportRowError
from tests.factories import member

pytestmark = pytest.mark.django_db

CSV = b"Given name,Surname,E-mail,Notes\nAda,Lovelace,ada@example.com,=cmd\nBad,Row,not-an-email,\nGrace,Hopper,grace@example.com,x\n"


def upload(client: Any, content: bytes = CSV, name: str = "people.csv", kind: str = "contacts", slug: str = "acme") -> Any:
    return client.post(f"/w/{slug}/imports/new/", {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def uploaded(actor: Any, workspace: Any, content: bytes = CSV, kind: str = "contacts") -> Import:
    return services.import_create(
        actor=actor, workspace=workspace, kind=kind, file=ContentFile(content), file_name="people.csv", start=False
    )


def selected(content: str, name: str) -> str:
    """The value selected in the <select name=…> of a page."""
    start = content.index(f'name="{name}"')
    select = content[start : content.index("</select>", start)]
    marker = select.index(" selected")
    return select[select.rindex('value="', 0, marker) + 7 : select.index('"', select.rindex('value="', 0, marker) + 7)]


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- Entry points ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"), [("/w/acme/contacts/", "contacts"), ("/w/acme/accounts/", "accounts"), ("/w/acme/leads/", "leads")]
)
def test_the_lists_offer_import_to_those_who_may_import(client_as: Any, owner: Any, workspace: Any, path: str, kind: str) -> None:
    viewer = member(workspace, Role.VIEWER)

    mine = client_as(owner).get(path).content.decode()
    theirs = client_as(viewer).get(path).content.decode()

    assert f'href="/w/acme/imports/new/?kind={kind}"' in mine
    assert 'href="/w/acme/imports/"' in mine  # the navigation
    assert "/imports/new/" not in theirs and 'href="/w/acme/imports/"' not in theirs


def test_the_upload_page_preselects_the_kind_it_was_opened_for(client_as: Any, owner: Any) -> None:
    content = client_as(owner).get("/w/acme/imports/new/?kind=accounts").content.decode()

    assert 'value="accounts" class="form-selectgroup-input" checked' in content
    assert "up to 100 MB" in content
    assert "data-dropzone" in content


# --- Upload and mapping ----------------------------------------------------------------------------


def test_an_upload_shows_every_column_with_samples_and_the_suggested_field(client_as: Any, owner: Any, workspace: Any) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="notes", label="Notes", type="text")
    client = client_as(owner)

    response = upload(client)

    import_run = Import.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/imports/{import_run.pk}/"
    assert import_run.status == "uploaded" and import_run.created_by == owner
    page = client.get(response["Location"])
    content = page.content.decode()
    assert [selected(content, f"column_{n}") for n in range(4)] == ["first_name", "last_name", "email", "custom.notes"]
    assert "Ada · Bad · Grace" in content or "<span>Ada</span> · <span>Bad</span>" in content
    assert "Notes (custom field)" in content
    assert "the same external ID or, failing that, the same primary email" in content
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "people.csv", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "This is a PNG image, not a CSV or XLSX file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.xls", "This is an old Excel .xls workbook"),
        (b'Name,Email\n"Ada,ada@example.com\nBob,bob@example.com\n', "open-quote.csv", "Row 2 opens a quote"),
    ],
)
def test_a_bad_file_is_refused_in_words_and_nothing_is_kept(client_as: Any, owner: Any, content: bytes, name: str, message: str) -> None:
    response = upload(client_as(owner), content, name)

    if response.status_code == 302:  # read lazily: the open quote shows when the rows are read
        response = client_as(owner).post(
            f"{response['Location']}start/", {"column_0": "full_name", "column_1": "email", "on_match": "skip"}
        )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_kept(client_as: Any, owner: Any, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024

    response = upload(client_as(owner), b"Email\n" + b"someone@example.com\n" * 60000)

    assert response.status_code == 400
    assert "The file is 1.1 MB; an import takes files of up to 1 MB." in response.content.decode()
    assert Import.objects.count() == 0


def test_columns_nobody_recognizes_can_still_be_mapped_by_hand(client_as: Any, owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = client_as(owner)
    location = upload(client, b"Col A,Col B\nAda Lovelace,ada@example.com\n")["Location"]

    unmapped = client.post(f"{location}start/", {"column_0": "", "column_1": "", "on_match": "skip", "action": "import"})
    with django_capture_on_commit_callbacks(execute=True):
        mapped = client.post(f"{location}start/", {"column_0": "full_name", "column_1": "email", "on_match": "skip", "action": "import"})

    assert unmapped.status_code == 400
    assert "Map at least one column to a name, an email or a phone of the contact." in unmapped.content.decode()
    assert mapped.status_code == 302
    assert Contact.objects.get().full_name == "Ada Lovelace"


def test_two_columns_for_one_field_are_refused_next_to_the_column(client_as: Any, owner: Any) -> None:
    client = client_as(owner)
    location = upload(client)["Location"]

    response = client.post(
        f"{location}start/",
        {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "column_3": "email", "on_match": "skip"},
    )

    assert response.status_code == 400
    assert "E-mail and Notes both go to Email (primary); choose one column for it." in response.content.decode()
    assert Import.objects.get().status == "uploaded"


# --- Dry run, import, log, undo --------------------------------------------------------------------


def test_a_dry_run_reports_what_would_happen_then_the_import_runs_and_is_undone(
    client_as: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as(owner)
    location = upload(client)["Location"]
    choices = {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "column_3": "", "on_match": "skip"}

    with django_capture_on_commit_callbacks(execute=True):
        dry = client.post(f"{location}start/", {**choices, "action": "dry_run"})
    dry_page = client.get(location).content.decode()
    report = csv_rows(client.get(f"{location}errors.csv"))

    assert dry.status_code == 302
    assert Contact.objects.count() == 0
    assert "Would be created" in dry_page and "Dry run" in dry_page
    assert '<td class="text-end">3</td><td class="fw-medium text-break">E-mail</td><td>Enter a valid email address.</td>' in dry_page
    assert report == [["row", "column", "message"], ["3", "E-mail", "Enter a valid email address."]]
    assert "Import these rows now" in dry_page

    dry_run = Import.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{location}again/", {"action": "import"})
    real = Import.objects.exclude(pk=dry_run.pk).get()
    page = client.get(again["Location"]).content.decode()
    log = csv_rows(client.get(f"/w/acme/imports/{real.pk}/log.csv"))

    assert again["Location"] == f"/w/acme/imports/{real.pk}/"
    assert (real.status, real.dry_run, real.created, real.failed, real.mapping["Notes"]) == ("done", False, 2, 1, "")
    assert sorted(Contact.objects.values_list("primary_email", flat=True)) == ["ada@example.com", "grace@example.com"]
    assert "Undo import" in page and 'hx-trigger="every 1s"' not in page
    assert log[0] == ["row", "outcome", "record_id", "message"]
    assert [row[:2] for row in log[1:]] == [["2", "created"], ["3", "failed"], ["4", "created"]]

    undo = client.post(f"/w/acme/imports/{real.pk}/undo/")
    undone = client.get(undo["Location"]).content.decode()

    assert Contact.objects.filter(deleted_at__isnull=True).count() == 0
    assert "Undone" in undone and 'id="import-undone"' in undone and "Undo import" not in undone


def test_the_error_report_and_log_neutralize_formulas(client_as: Any, owner: Any, workspace: Any) -> None:
    import_run = uploaded(owner, workspace)
    import_run.status = Import.Status.DONE
    import_run.save()
    ImportRowError.objects.create(workspace=workspace, import_run=import_run, row=2, field="=HYPERLINK()", message="@bad")

    report = csv_rows(client_as(owner).get(f"/w/acme/imports/{import_run.pk}/errors.csv"))

    assert report[1] == ["2", "'=HYPERLINK()", "'@bad"]


def test_a_failed_all_or_nothing_import_lists_the_errors_and_offers_a_new_mapping(
    client_as: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as(owner)
    location = upload(client)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{location}start/",
            {
                "column_0": "first_name",
                "column_1": "last_name",
                "column_2": "email",
                "on_match": "skip",
                "all_or_nothing": "on",
                "action": "import",
            },
        )
    page = client.get(location).content.decode()
    remap = client.post(f"{location}again/", {"action": "remap"})

    assert Contact.objects.count() == 0
    assert "nothing was imported (all or nothing)" in page and "Change the mapping" in page and "Undo import" not in page
    fresh = Import.objects.order_by("-pk").first()
    assert fresh is not None and fresh.status == "uploaded" and fresh.all_or_nothing is True
    assert remap["Location"] == f"/w/acme/imports/{fresh.pk}/"
    assert selected(client.get(remap["Location"]).content.decode(), "column_2") == "email"


def test_accounts_are_imported_and_matched_by_domain(
    client_as: Any, owner: Any, workspace: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer_services.account_create(actor=owner, workspace=workspace, data={"name": "Acme Old", "domains": ["acme.com"]})
    client = client_as(owner)
    location = upload(client, b"Company,Website,Industry\nAcme,https://www.acme.com/,Rockets\nGlobex,globex.com,Energy\n", kind="accounts")[
        "Location"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{location}start/",
            {"column_0": "name", "column_1": "domains", "column_2": "industry", "on_match": "update", "action": "import"},
        )

    assert dict(Account.objects.values_list("name", "industry")) == {"Acme": "Rockets", "Globex": "Energy"}


# --- Progress ---------------------------------------------------------------------------------------


def test_progress_is_polled_while_the_worker_runs_and_stops_when_it_is_done(client_as: Any, owner: Any, workspace: Any) -> None:
    import_run = uploaded(owner, workspace)
    Import.objects.filter(pk=import_run.pk).update(status="running", total=10_000, processed=3_000, last_batch=2, batch_size=1_000)
    client = client_as(owner)

    running = client.get(f"/w/acme/imports/{import_run.pk}/", headers={"HX-Request": "true"}).content.decode()
    Import.objects.filter(pk=import_run.pk).update(status="done", processed=10_000, created=10_000, message="10,000 rows: 10,000 created.")
    done = client.get(f"/w/acme/imports/{import_run.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert running.startswith('\n<div id="import-run" hx-get="/w/acme/imports/') or running.lstrip().startswith('<div id="import-run"')
    assert "<html" not in running
    assert 'hx-trigger="every 1s"' in running
    assert "3000 of 10000 rows" in running and "Batch 3 of 10" in running and 'value="30"' in running
    assert 'hx-trigger="every 1s"' not in done
    assert "10,000 rows: 10,000 created." in done and 'value="100"' in done


def test_a_queued_import_says_it_waits_for_a_worker(client_as: Any, owner: Any, workspace: Any) -> None:
    import_run = uploaded(owner, workspace)
    Import.objects.filter(pk=import_run.pk).update(status="queued")

    content = client_as(owner).get(f"/w/acme/imports/{import_run.pk}/").content.decode()

    assert "Waiting for a background worker" in content and "Not started yet" in content


# --- History ----------------------------------------------------------------------------------------


def test_the_history_lists_imports_newest_first_with_status_counts_and_who(client_as: Any, owner: Any, workspace: Any) -> None:
    first = uploaded(owner, workspace)
    second = uploaded(owner, workspace, b"Company\nAcme\n", kind="accounts")
    Import.objects.filter(pk=second.pk).update(status="done", total=1, processed=1, created=1)

    response = client_as(owner).get("/w/acme/imports/")
    accounts_only = client_as(owner).get("/w/acme/imports/?kind=accounts")

    assert [item.pk for item in response.context["page"].items] == [second.pk, first.pk]
    assert [item.pk for item in accounts_only.context["page"].items] == [second.pk]
    content = response.content.decode()
    assert "Olga Owner" in content and "Waiting for mapping" in content and "Done" in content


@pytest.mark.parametrize("count", [3, 30])
def test_the_history_and_an_import_page_take_a_constant_number_of_queries(
    client_as: Any, owner: Any, workspace: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        import_run = uploaded(owner, workspace)
    Import.objects.update(status="done", total=count, processed=count, failed=count)
    ImportRowError.objects.bulk_create(
        ImportRowError(workspace=workspace, import_run=import_run, row=n + 2, field="E-mail", message="Enter a valid email address.")
        for n in range(count * 3)
    )
    client = client_as(owner)

    with django_assert_max_num_queries(12):
        assert client.get("/w/acme/imports/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/w/acme/imports/{import_run.pk}/").status_code == 200


# --- Who may do what --------------------------------------------------------------------------------

IMPORT_URLS = ["", "start/", "again/", "undo/", "log.csv", "errors.csv"]


@pytest.mark.parametrize("suffix", IMPORT_URLS)
def test_every_import_url_of_another_workspace_is_a_404_and_changes_nothing(
    client_as: Any, owner: Any, other_workspace: Any, suffix: str
) -> None:
    stranger = member(other_workspace, Role.OWNER)
    theirs = uploaded(stranger, other_workspace)
    client = client_as(owner)

    assert client.get(f"/w/acme/imports/{theirs.pk}/{suffix}").status_code in {404, 405}
    assert client.post(f"/w/acme/imports/{theirs.pk}/{suffix}", {"action": "import", "on_match": "skip"}).status_code in {404, 405}
    assert client.get(f"/w/globex/imports/{theirs.pk}/{suffix}").status_code == 404
    assert client.post(f"/w/globex/imports/{theirs.pk}/{suffix}", {"action": "import", "on_match": "skip"}).status_code == 404
    assert client.get("/w/globex/imports/").status_code == 404
    assert Import.objects.count() == 1 and Import.objects.get().status == "uploaded"


def test_a_viewer_cannot_see_or_start_imports(client_as: Any, owner: Any, workspace: Any) -> None:
    viewer = member(workspace, Role.VIEWER)
    import_run = uploaded(owner, workspace)
    client = client_as(viewer)

    assert client.get("/w/acme/imports/").status_code == 403
    assert client.get("/w/acme/imports/new/").status_code == 403
    assert upload(client).status_code == 403
    assert client.post(f"/w/acme/imports/{import_run.pk}/start/", {"on_match": "skip", "action": "import"}).status_code in {403, 404}
    assert client.post(f"/w/acme/imports/{import_run.pk}/undo/").status_code in {403, 404}
    assert Import.objects.count() == 1 and Import.objects.get().status == "uploaded"


def test_sales_see_and_run_only_their_own_imports(client_as: Any, owner: Any, rep: Any, workspace: Any) -> None:
    owners = uploaded(owner, workspace)
    reps = uploaded(rep, workspace)
    client = client_as(rep)

    assert [item.pk for item in client.get("/w/acme/imports/").context["page"].items] == [reps.pk]
    assert client.get(f"/w/acme/imports/{owners.pk}/").status_code == 404
    assert client.post(f"/w/acme/imports/{owners.pk}/start/", {"on_match": "skip", "action": "import"}).status_code == 404
    assert client.get(f"/w/acme/imports/{reps.pk}/").status_code == 200


def test_a_supply_member_may_not_upload(client_as: Any, workspace: Any) -> None:
    supply = member(workspace, Role.SUPPLY)

    assert upload(client_as(supply)).status_code == 403
    assert Import.objects.count() == 0


def test_a_lead_file_is_uploaded_mapped_and_imported_in_the_browser(
    client_as: Any, owner: Any, workspace: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from amity.sales.models import Lead

    client = client_as(owner)
    assert "Leads (people who may become customers" in client.get("/w/acme/imports/new/").content.decode()
    response = upload(client, b"Name,Email,Company\nAda Lovelace,ada@example.com,Engines\n", name="leads.csv", kind="leads")
    assert response.status_code == 302
    import_run = Import.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert import_run.kind == "leads"
    assert "the same email (converted leads are left as they are)" in page
    assert selected(page, "column_0") == "full_name"

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/w/acme/imports/{import_run.pk}/start/",
            {"column_0": "full_name", "column_1": "email", "column_2": "company", "on_match": "skip"},
        )

    assert started.status_code == 302
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company, lead.owner_id) == ("Ada", "Lovelace", "Engines", owner.pk)
