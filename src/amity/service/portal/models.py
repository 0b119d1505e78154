"""Who may use the portal, the links and sessions they sign in with, the workspace's portal look, and returns."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import AccountContact, Contact
from amity.orders.models import SalesOrderLine


class PortalAccess(WorkspaceScopedModel):
    """A contact's right to use the workspace's portal: invited by an agent, active once they signed in, or disabled."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="portal_accesses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)
    # Through the contact's membership, so the role follows the membership through merges and ends with it.
    admin_membership = models.ForeignKey(
        AccountContact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The contact's place at the account whose cases, orders and invoices they see in the portal (account admin).",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "contact"], name="portalaccess_unique_contact")]
        indexes = [models.Index(fields=["workspace", "-invited_at", "-id"], name="portalaccess_ws_recent")]

    def __str__(self) -> str:
        return f"Portal access of {self.contact_id} ({self.status})"

    @property
    def admin_account_id(self) -> int | None:
        """The account this contact administers in the portal, while they still belong to it (merges can move either)."""
        membership = self.admin_membership
        return membership.account_id if membership is not None and membership.contact_id == self.contact_id else None


class PortalLink(WorkspaceScopedModel):
    """An emailed sign-in link: only its hash is kept; it works once and only for a short while."""

    access = models.ForeignKey(PortalAccess, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in link for {self.access_id}"


class PortalSignInRequest(WorkspaceScopedModel):
    """One request for a sign-in link, known address or not: counted to limit how often one address may ask."""

    email_hash = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "email_hash", "requested_at"], name="portalsignin_ws_email")]

    def __str__(self) -> str:
        return f"Sign-in request at {self.requested_at:%Y-%m-%d %H:%M}"


class PortalSession(WorkspaceScopedModel):
    """A bearer token of the portal's API, given in exchange for a sign-in link; only its hash is kept."""

    access = models.ForeignKey(PortalAccess, on_delete=models.CASCADE, related_name="sessions")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Portal session of {self.access_id}"


class PortalBranding(WorkspaceScopedModel):
    """How the portal looks to the workspace's customers: the workspace's name in its own colour."""

    colour = models.CharField(max_length=7, default="#206bc4", help_text="An #rrggbb colour for the header and buttons.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="portalbranding_unique_workspace")]

    def __str__(self) -> str:
        return f"Portal look of {self.workspace_id}"


class ReturnRequest(WorkspaceScopedModel):
    """A request to send back some of an order line: its return case carries the RMA number and the conversation."""

    case = models.OneToOneField("service.Case", on_delete=models.CASCADE, related_name="return_request")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="return_requests")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="returnrequest_quantity_positive")]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="returnrequest_ws_recent"),
            models.Index(fields=["workspace", "order_line"], name="returnrequest_ws_line"),
        ]

    def __str__(self) -> str:
        return f"Return of {self.quantity} of line {self.order_line_id}"
