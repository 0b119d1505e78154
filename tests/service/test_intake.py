"""Email in, through the webhook and a real IMAP server: new cases, replies threaded into theirs, auto-replies, loops, attachments."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from amity.core.models import User, Workspace
from amity.service import services
from amity.service.imap import fetch_mailbox
from amity.service.intake import email_intake
from amity.service.models import Case, CaseAttachment, CaseMessage, IgnoredEmail, Mailbox
from tests.imap import ImapServer
from tests.mail import Inbox


def email(
    subject: str, body: str = "Hello", *, sender: str = "Peter Gibbons <peter@initech.test>", message_id: str = "", **headers: str
) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@acme.test", subject
    message["Message-ID"] = message_id or f"<{abs(hash((subject, body, sender)))}@initech.test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def test_an_email_opens_a_case_for_the_contact_and_is_acknowledged(
    workspace: Workspace, customer: Any, smtp_server: Inbox, run_on_commit: Any
) -> None:
    with run_on_commit():
        result = email_intake(
            workspace=workspace, raw=email("My chair broke", "The arm came off.\n\nPeter", message_id="<m1@initech.test>")
        )

    case = result.case
    assert result.status == "created" and case is not None
    assert (case.subject, case.channel, case.contact, case.status) == ("My chair broke", "email", customer, "new")
    [message] = case.messages.all()
    assert (message.from_address, message.message_id) == ("peter@initech.test", "<m1@initech.test>")
    assert message.body == "<p>The arm came off.</p><p>Peter</p>"
    [ack] = smtp_server.parsed()
    assert ack["To"] == "peter@initech.test" and case.subject_tag in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied" and ack["In-Reply-To"] == "<m1@initech.test>"


def test_a_stranger_gets_a_case_with_their_address_to_answer(workspace: Workspace) -> None:
    result = email_intake(workspace=workspace, raw=email("Question", sender="Ann <ann@unknown.test>"))

    assert result.case is not None and result.case.contact is None and result.case.requester_email == "ann@unknown.test"
    assert services.reply_recipient(result.case) == "ann@unknown.test"


def test_a_reply_joins_its_case_by_the_subject_tag_and_reopens_it(workspace: Workspace, case: Case, agent: User) -> None:
    services.case_change_status(actor=agent, case=case, status="resolved")

    result = email_intake(workspace=workspace, raw=email(f"Re: Chair {case.subject_tag}", "Still wobbly."))

    assert (result.status, result.case) == ("added", case)
    case.refresh_from_db()
    assert case.status == "open"


def test_a_forged_tag_with_the_wrong_token_opens_a_new_case(workspace: Workspace, case: Case) -> None:
    result = email_intake(workspace=workspace, raw=email(f"Re: [{case.number} #aaaaaaaa]", "Let me in"))

    assert result.status == "created" and result.case != case


def test_a_reply_joins_by_in_reply_to_when_the_subject_lost_its_tag(
    workspace: Workspace, case: Case, agent: User, run_on_commit: Any, smtp_server: Inbox
) -> None:
    with run_on_commit():
        reply = services.case_reply(actor=agent, case=case, body="Fixed?")

    result = email_intake(workspace=workspace, raw=email("Re: your message", "Yes, thanks", In_Reply_To=str(reply.message_id)))

    assert (result.status, result.case) == ("added", case)


def test_the_same_email_twice_is_taken_once(workspace: Workspace) -> None:
    raw = email("Twice", message_id="<same@initech.test>")

    first, second = email_intake(workspace=workspace, raw=raw), email_intake(workspace=workspace, raw=raw)

    assert (first.status, second.status) == ("created", "duplicate") and first.case == second.case
    assert CaseMessage.objects.filter(message_id="<same@initech.test>").count() == 1


def test_an_out_of_office_reply_is_kept_but_changes_nothing_and_is_not_answered(
    workspace: Workspace, case: Case, agent: User, smtp_server: Inbox, run_on_commit: Any
) -> None:
    services.case_change_status(actor=agent, case=case, status="waiting_customer")

    with run_on_commit():
        result = email_intake(
            workspace=workspace, raw=email(f"Out of office {case.subject_tag}", "Back Monday", Auto_Submitted="auto-replied")
        )
        stray = email_intake(workspace=workspace, raw=email("Automatic reply", "Away", Precedence="bulk"))

    assert result.status == "added" and result.message is not None and result.message.automated
    case.refresh_from_db()
    assert case.status == "waiting_customer"
    assert stray.status == "ignored" and "answers no case" in stray.reason
    assert smtp_server.messages == []


def test_mail_from_our_own_address_is_a_loop_and_dropped(workspace: Workspace, settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Acme support <support@acme.test>"

    result = email_intake(workspace=workspace, raw=email("Re: We have your request", sender="support@acme.test"))

    assert result.status == "ignored" and "own support address" in result.reason
    assert not Case.objects.exists()
    assert IgnoredEmail.objects.get().from_address == "support@acme.test"


def test_attachments_are_kept_with_the_message(workspace: Workspace) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = "peter@initech.test", "support@acme.test", "Photo", "<p@x>"
    message.set_content("See the photo.")
    message.add_attachment(b"\x89PNG fake bytes", maintype="image", subtype="png", filename="arm.png")

    result = email_intake(workspace=workspace, raw=bytes(message))

    [attachment] = CaseAttachment.objects.filter(message=result.message)
    assert (attachment.filename, attachment.content_type, attachment.size) == ("arm.png", "image/png", 15)
    assert attachment.file.read() == b"\x89PNG fake bytes"


def test_the_webhook_takes_a_raw_email(api_as: Any, agent: User, workspace: Workspace) -> None:
    client = api_as(agent, workspace).client
    headers = {"Authorization": f"Bearer {api_as(agent, workspace).token}"}

    response = client.post("/api/v1/inbound-email", data=email("By webhook"), content_type="message/rfc822", headers=headers)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "created" and Case.objects.get().subject == "By webhook"
    empty = client.post("/api/v1/inbound-email", data=b"", content_type="message/rfc822", headers=headers)
    assert empty.status_code == 422


def test_the_worker_reads_new_mail_from_imap_once(imap_server: ImapServer, workspace: Workspace, admin: User, customer: Any) -> None:
    mailbox = services.mailbox_save(
        actor=admin,
        workspace=workspace,
        data={
            "host": imap_server.host,
            "port": imap_server.port,
            "use_ssl": False,
            "username": imap_server.username,
            "password": imap_server.password,
        },
    )
    imap_server.deliver(email("First by IMAP", message_id="<i1@initech.test>"))
    imap_server.deliver(email("Second by IMAP", message_id="<i2@initech.test>"))

    assert fetch_mailbox(mailbox) == 2
    imap_server.deliver(email("Third by IMAP", message_id="<i3@initech.test>"))
    assert fetch_mailbox(Mailbox.objects.get(pk=mailbox.pk)) == 1

    assert sorted(Case.objects.values_list("subject", flat=True)) == ["First by IMAP", "Second by IMAP", "Third by IMAP"]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3 and mailbox.last_error == "" and mailbox.last_checked_at is not None
    assert Case.objects.filter(contact=customer).count() == 3


def test_a_wrong_password_is_recorded_on_the_mailbox(imap_server: ImapServer, workspace: Workspace, admin: User) -> None:
    mailbox = services.mailbox_save(
        actor=admin,
        workspace=workspace,
        data={"host": imap_server.host, "port": imap_server.port, "use_ssl": False, "username": imap_server.username, "password": "wrong"},
    )

    assert fetch_mailbox(mailbox) == 0
    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error or "failed" in mailbox.last_error.lower()
