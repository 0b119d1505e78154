"""Demo data of the knowledge base and of satisfaction surveys: 25 articles in five categories, a year of answers."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.service.kb import services as kb
from amity.service.models import Case, Survey

ARTICLES: dict[str, list[tuple[str, str, str]]] = {
    "Orders and delivery": [
        (
            "How long does delivery take?",
            "public",
            "Orders placed before 2 pm on a working day leave our warehouse the same day. Delivery takes three to five working days in the EU and up to ten days elsewhere.",
        ),
        (
            "Tracking your order",
            "public",
            "When your order ships we email a tracking link. Open it to see where the parcel is; the carrier updates it every few hours.",
        ),
        (
            "Changing the delivery address",
            "public",
            "You can change the address until the order ships: answer the order confirmation or ask support with your order number.",
        ),
        (
            "A parcel arrived damaged",
            "public",
            "Take photos of the box and the damage before unpacking further, keep the packaging and open a case: we send a replacement or refund.",
        ),
        (
            "Carrier delays: what agents check",
            "internal",
            "Look up the tracking number in the carrier portal. After five days without a scan, open a claim with the carrier and offer the customer a replacement.",
        ),
    ],
    "Returns and refunds": [
        (
            "Returning a product",
            "public",
            "You may return any product within 30 days. Open a return case, print the label we send with your RMA number and book a pickup.",
        ),
        (
            "When will I get my refund?",
            "public",
            "Refunds go back to the way you paid within five working days after the returned goods reach our warehouse.",
        ),
        (
            "Exchanging for another size or colour",
            "public",
            "Open a return case and say what you want instead; we ship the exchange as soon as the carrier scans your return.",
        ),
        (
            "Return labels for large items",
            "public",
            "Desks and cabinets are collected by a freight carrier: choose a day in the return email and keep the item packed.",
        ),
        (
            "Refunds above 500 EUR need approval",
            "internal",
            "Refunds above 500 EUR are approved by a manager. Add a note with the reason and assign the case to the returns lead.",
        ),
    ],
    "Assembly and care": [
        (
            "Tightening a loose chair arm",
            "public",
            "Turn the chair over and tighten the two M6 screws under each arm with the 4 mm hex key that came with the chair.",
        ),
        (
            "Adjusting chair height and tilt",
            "public",
            "The lever on the right sets the height; the knob under the seat sets how hard the backrest tilts. Turn it clockwise for more resistance.",
        ),
        (
            "Assembling the standing desk",
            "public",
            "Fix the legs to the frame first, then the crossbar, then the top. Connect the motor cable last and hold the down button for ten seconds to calibrate.",
        ),
        (
            "Cleaning fabric and mesh",
            "public",
            "Vacuum the mesh monthly. Clean stains with lukewarm water and a drop of mild soap; never use solvents or bleach.",
        ),
        (
            "Squeaking chair: lubricate the tilt mechanism",
            "public",
            "A squeak usually comes from the tilt mechanism. Spray a little silicone lubricant into the joints under the seat and rock the chair.",
        ),
    ],
    "Billing and payment": [
        (
            "Paying by invoice",
            "public",
            "Business customers can pay by invoice: payment is due within 30 days. The bank details are on the invoice.",
        ),
        (
            "Getting a copy of an invoice",
            "public",
            "Every invoice is attached to the shipping email. Ask support for a copy with your order number if you cannot find it.",
        ),
        (
            "Changing the billing address on an invoice",
            "public",
            "We can reissue an invoice with another billing address within the same month; tell us the new address and the VAT number.",
        ),
        (
            "Payment failed",
            "public",
            "A payment can fail when the card's limit is reached or the bank asks for a confirmation. Try again or choose another way to pay.",
        ),
        (
            "Issuing a credit note",
            "internal",
            "Credit notes are issued from the order page by billing. Never edit a sent invoice: cancel it with a credit note and issue a new one.",
        ),
    ],
    "Warranty and repairs": [
        (
            "What the warranty covers",
            "public",
            "Chairs and desks have a five-year warranty on the frame, mechanism and motor, and two years on fabric and foam.",
        ),
        (
            "Ordering spare parts",
            "public",
            "Castors, arm pads, gas lifts and cable trays can be ordered as spare parts: tell us the product and the part.",
        ),
        (
            "The desk motor does not move",
            "public",
            "Unplug the desk for a minute, plug it in again and hold the down button for ten seconds to reset. If it still does not move, open a case.",
        ),
        (
            "Gas lift sinks slowly",
            "public",
            "A gas lift that sinks is covered by the warranty. We send a new one with instructions; changing it takes ten minutes.",
        ),
        (
            "Warranty claims without a receipt",
            "internal",
            "Find the order by the customer's email or account. Without an order, ask for a photo of the serial label under the seat.",
        ),
    ],
}
SCORE_WEIGHTS = [4, 5, 10, 30, 51]  # most customers are content; a few are not


def load_articles(workspace: Workspace, users: dict[Role, User]) -> None:
    """Write, review and publish the demo articles (once)."""
    from amity.service.models import Article

    if Article.objects.filter(workspace=workspace).exists():
        return
    writer = users.get(Role.SUPPORT) or next(iter(users.values()))
    editor = users.get(Role.MANAGER) or users.get(Role.OWNER) or writer
    for position, (category_name, articles) in enumerate(ARTICLES.items()):
        category = kb.category_save(actor=editor, workspace=workspace, name=category_name, position=position)
        for title, visibility, text in articles:
            article = kb.article_create(
                actor=writer,
                workspace=workspace,
                data={"title": title, "body": text, "visibility": visibility, "category_id": category.pk},
            )
            kb.article_submit(actor=writer, article=article)
            kb.article_publish(actor=editor, article=article)


def load_surveys(workspace: Workspace, now: dt.datetime) -> None:
    """Answers to the surveys of the year's resolved cases: two in three customers answered."""
    if Survey.objects.filter(workspace=workspace).exists():
        return
    rng = random.Random(7)
    resolved = Case.objects.filter(workspace=workspace, resolved_at__isnull=False, merged_into__isnull=True).select_related("contact")
    surveys = []
    for case in resolved:
        assert case.resolved_at is not None  # the query asks for resolved cases
        sent: dt.datetime = case.resolved_at + dt.timedelta(hours=1)
        answered = rng.random() < 0.66
        surveys.append(
            Survey(
                workspace=workspace,
                case=case,
                agent_id=case.assignee_id,
                kind_id=case.kind_id,
                email=(case.contact.primary_email if case.contact else "") or case.requester_email or "customer@example.com",
                token=secrets.token_urlsafe(24)[:32],
                sent_at=sent,
                score=rng.choices([1, 2, 3, 4, 5], weights=SCORE_WEIGHTS)[0] if answered else None,
                comment=rng.choice(["", "", "Quick and friendly.", "Took a while, but solved.", "Thank you!"]) if answered else "",
                answered_at=min(now, sent + dt.timedelta(hours=rng.uniform(0.2, 30))) if answered else None,
                created_at=sent,
            )
        )
    Survey.objects.bulk_create(surveys)
