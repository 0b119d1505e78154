"""Files from the portal: a customer attaches them when opening a case or answering; they stay with the message, agents
download them from the case page, and a customer downloads only the files of messages they may read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.core.models import User, Workspace
from amity.customers.models import Account, Contact
from amity.service import services as case_services
from amity.service.intake import store_attachments
from amity.service.models import Case, CaseAttachment, CaseMessage
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess
from tests.service.portal.conftest import make_admin, portal_api, post_form, sign_in
from tests.tenancy import MAKERS

PHOTO = b"\x89PNG\r\n\x1a\n" + b"scratch" * 100


def _photo(name: str = "scratch.png", content: bytes = PHOTO) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseMessage.objects.count(), CaseAttachment.objects.count()


def test_a_customer_opens_a_case_with_a_photo_and_both_sides_download_it(
    invited: PortalAccess, agent: User, workspace: Workspace, client_as: Any
) -> None:
    client = sign_in(workspace, invited)

    opened = client.post(
        f"/portal/{workspace.slug}/cases/new/",
        {"kind": "complaint", "subject": "Scratched desk", "description": "See the photo.", "attachments": [_photo()]},
    )

    assert opened.status_code == 302, opened.content[:500]
    case = Case.objects.get(subject="Scratched desk")
    attachment = CaseAttachment.objects.get()
    assert attachment.message.case_id == case.pk and attachment.message.kind == "customer"
    assert (attachment.filename, attachment.content_type, attachment.size) == ("scratch.png", "image/png", len(PHOTO))
    page = client.get(f"/portal/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert f"/portal/{workspace.slug}/attachments/{attachment.pk}/" in page and "scratch.png" in page
    download = client.get(f"/portal/{workspace.slug}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download.content == PHOTO
    assert 'attachment; filename="scratch.png"' in download["Content-Disposition"]

    agents = client_as(agent)
    case_page = agents.get(f"/w/{workspace.slug}/cases/{case.pk}/").content.decode()
    agent_download = agents.get(f"/w/{workspace.slug}/cases/{case.pk}/attachments/{attachment.pk}/")
    assert f"/w/{workspace.slug}/cases/{case.pk}/attachments/{attachment.pk}/" in case_page
    assert agent_download.status_code == 200 and agent_download.content == PHOTO


def test_a_customer_answers_with_files_by_api_and_reads_them_back(
    invited: PortalAccess, agent: User, workspace: Workspace, api_as: Any
) -> None:
    case = portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": "Chair", "description": "Wobbles."})
    api = portal_api(workspace, invited)

    answered = post_form(
        api, f"/api/v1/portal/cases/{case.pk}/messages", {"body": "Two photos.", "attachments": [_photo("left.png"), _photo("right.png")]}
    )

    assert answered.status_code == 201, answered.content
    files = answered.json()["attachments"]
    assert [file["filename"] for file in files] == ["left.png", "right.png"] and files[0]["size"] == len(PHOTO)
    listed = api.get(f"/api/v1/portal/cases/{case.pk}/messages").json()
    assert [len(message["attachments"]) for message in listed] == [0, 2]
    download = api.get(f"/api/v1/portal/attachments/{files[1]['id']}")
    assert download.status_code == 200 and download.content == PHOTO
    staff = api_as(agent, workspace)
    staff_messages = staff.get(f"/api/v1/cases/{case.pk}/messages").json()
    assert [file["filename"] for file in staff_messages[-1]["attachments"]] == ["left.png", "right.png"]
    assert staff.get(f"/api/v1/cases/{case.pk}/attachments/{files[0]['id']}").status_code == 200


def test_a_case_opened_by_api_keeps_its_files(invited: PortalAccess, workspace: Workspace) -> None:
    api = portal_api(workspace, invited)

    opened = post_form(
        api, "/api/v1/portal/cases", {"kind": "complaint", "subject": "Broken", "description": "Photo.", "attachments": [_photo()]}
    )

    assert opened.status_code == 201, opened.content
    assert CaseAttachment.objects.get().message.case_id == opened.json()["id"]


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ([_photo(f"p{number}.png") for number in range(6)], "Attach at most 5 files to one message (6 were given)."),
        ([_photo("empty.png", b"")], "empty.png is empty."),
        ([_photo("huge.png", b"x" * (12 * 1024 * 1024))], "huge.png is 12.0 MB; a file may be at most 10 MB."),
    ],
    ids=["too many", "empty", "too big"],
)
def test_too_many_empty_or_too_big_files_name_the_field_and_change_nothing(
    invited: PortalAccess, workspace: Workspace, files: list[SimpleUploadedFile], says: str
) -> None:
    case = portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": "Chair", "description": "Wobbles."})
    for upload in files:
        upload.seek(0)
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)
    before = _counts()

    page = client.post(f"/portal/{workspace.slug}/cases/{case.pk}/", {"body": "Look.", "attachments": files})
    for upload in files:
        upload.seek(0)
    answered = post_form(api, f"/api/v1/portal/cases/{case.pk}/messages", {"body": "Look.", "attachments": files})
    for upload in files:
        upload.seek(0)
    opened = client.post(
        f"/portal/{workspace.slug}/cases/new/", {"kind": "complaint", "subject": "New", "description": "x", "attachments": files}
    )

    assert page.status_code == 422 and says in page.content.decode()
    assert answered.status_code == 422 and answered.json()["errors"] == [{"field": "attachments", "message": says}]
    assert opened.status_code == 422 and says in opened.content.decode()
    assert _counts() == before


def _note_with_file(agent: User, case: Case) -> CaseAttachment:
    note = case_services.case_note(actor=agent, case=case, body="zz-internal: the supplier's invoice")
    store_attachments(note, [("supplier.pdf", "application/pdf", b"%PDF-secret")])
    return note.attachments.get()


def test_an_internal_notes_file_is_a_404_for_customers_but_not_for_agents(
    invited: PortalAccess, agent: User, account: Account, workspace: Workspace, client_as: Any
) -> None:
    case = portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": "Chair", "description": "Wobbles."})
    secret = _note_with_file(agent, case)
    make_admin(invited, account)  # not even an account admin
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)

    assert client.get(f"/portal/{workspace.slug}/attachments/{secret.pk}/").status_code == 404
    assert api.get(f"/api/v1/portal/attachments/{secret.pk}").status_code == 404
    assert "supplier.pdf" not in client.get(f"/portal/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert "supplier.pdf" not in api.get(f"/api/v1/portal/cases/{case.pk}/messages").content.decode()
    assert client_as(agent).get(f"/w/{workspace.slug}/cases/{case.pk}/attachments/{secret.pk}/").status_code == 200


def test_another_customers_file_is_a_404_unless_one_is_their_account_admin(
    invited: PortalAccess, samir: Contact, account: Account, agent: User, workspace: Workspace
) -> None:
    samirs = portal.portal_invite(actor=agent, contact=samir)
    case = portal.portal_case_open(
        access=samirs, data={"kind": "complaint", "subject": "Stapler", "description": "Photo."}, attachments=[_photo()]
    )
    attachment = CaseAttachment.objects.get(message__case=case)
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)

    assert client.get(f"/portal/{workspace.slug}/attachments/{attachment.pk}/").status_code == 404
    assert api.get(f"/api/v1/portal/attachments/{attachment.pk}").status_code == 404

    make_admin(invited, account)
    assert client.get(f"/portal/{workspace.slug}/attachments/{attachment.pk}/").status_code == 200
    assert api.get(f"/api/v1/portal/attachments/{attachment.pk}").status_code == 200


def test_another_workspaces_file_is_a_404_on_every_door(
    invited: PortalAccess, agent: User, workspace: Workspace, other_workspace: Workspace, client_as: Any
) -> None:
    foreign = MAKERS["attachment_id"](other_workspace)
    assert isinstance(foreign, CaseAttachment)
    own_case = portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": "Chair", "description": "x"})

    assert sign_in(workspace, invited).get(f"/portal/{workspace.slug}/attachments/{foreign.pk}/").status_code == 404
    assert portal_api(workspace, invited).get(f"/api/v1/portal/attachments/{foreign.pk}").status_code == 404
    agents = client_as(agent)
    assert agents.get(f"/w/{workspace.slug}/cases/{own_case.pk}/attachments/{foreign.pk}/").status_code == 404
    assert agents.get(f"/w/{workspace.slug}/cases/{foreign.message.case_id}/attachments/{foreign.pk}/").status_code == 404
