"""Every change to workspaces, people, teams and tokens: keyword-only, atomic, audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from amity.core import audit
from amity.core.access import forget_memberships, require, role_of
from amity.core.emails import queue_templated_email
from amity.core.models import ApiToken, AuditEntry, Invitation, Membership, Notification, Team, User, Workspace, hash_secret
from amity.core.permissions import Action, ObjectType, Role, can_assign

INVITATION_SALT = "amity.invitation"
TOKEN_PREFIX = "amity_"


# --- Users ---------------------------------------------------------------------------------


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({field: "Enter a valid email address."}) from None
    return email


@transaction.atomic
def user_create(*, email: str, password: str | None = None, full_name: str = "") -> User:
    """Create a person who can sign in; without a password they must set one by reset link."""
    email = _clean_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email address already exists."})
    if password is not None:
        validate_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, time_zone: str) -> User:
    """Change a user's own name and time zone."""
    import zoneinfo

    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.save(update_fields=["full_name", "time_zone"])
    return user


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> User:
    """Change a user's own password, after they prove they know the current one."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": "This is not your current password."})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


def user_remember_workspace(*, user: User, workspace: Workspace) -> None:
    """Remember the workspace a user last opened, so that signing in brings them back to it."""
    if user.last_workspace_id != workspace.pk:
        User.objects.filter(pk=user.pk).update(last_workspace=workspace)
        user.last_workspace = workspace


# --- Workspaces ------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, counter = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def workspace_create(*, owner: User, name: str) -> Workspace:
    """Open a new workspace with `owner` as its first member."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    workspace = Workspace.objects.create(name=name, slug=_unique_slug(name))
    membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit.record(actor=owner, workspace=workspace, action=AuditEntry.Action.CREATE, obj=workspace, changes={"name": [None, name]})
    audit.record(actor=owner, workspace=workspace, action=AuditEntry.Action.CREATE, obj=membership, changes={"role": [None, Role.OWNER]})
    forget_memberships(owner)
    return workspace


@transaction.atomic
def workspace_rename(*, actor: User, workspace: Workspace, name: str) -> Workspace:
    """Rename a workspace (its address, the slug, stays the same)."""
    require(actor, workspace, Action.CHANGE, ObjectType.WORKSPACE)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    before = workspace.name
    workspace.name = name
    workspace.save(update_fields=["name", "updated_at"])
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.UPDATE,
        obj=workspace,
        changes=audit.diff({"name": before}, {"name": name}),
    )
    return workspace


# --- Members ---------------------------------------------------------------------------------


def _check_assignable(actor: User, workspace: Workspace, role: str) -> None:
    if role not in Role.__members__.values():
        raise ValidationError({"role": f"Choose one of: {', '.join(Role)}."})
    if not can_assign(role_of(actor, workspace), role):
        raise PermissionDenied(f"Your role cannot give the {role} role.")


def _owners_left_after(workspace: Workspace, membership: Membership) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=membership.pk).count()


@transaction.atomic
def member_change_role(*, actor: User, workspace: Workspace, membership: Membership, role: str) -> Membership:
    """Give a member another role; a workspace always keeps at least one owner."""
    require(actor, workspace, Action.CHANGE, ObjectType.MEMBER)
    _check_assignable(actor, workspace, role)
    if membership.role == Role.OWNER and role_of(actor, workspace) != Role.OWNER:
        raise PermissionDenied("Only an owner can change another owner's role.")
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left_after(workspace, membership) == 0:
        raise ValidationError({"role": "A workspace needs at least one owner; make someone else owner first."})
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.UPDATE,
        obj=membership,
        changes=audit.diff({"role": before}, {"role": role}),
    )
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def member_remove(*, actor: User, workspace: Workspace, membership: Membership) -> None:
    """Take a person out of a workspace; their API tokens for it stop working at once."""
    require(actor, workspace, Action.DELETE, ObjectType.MEMBER)
    if membership.role == Role.OWNER and role_of(actor, workspace) != Role.OWNER:
        raise PermissionDenied("Only an owner can remove another owner.")
    if membership.role == Role.OWNER and _owners_left_after(workspace, membership) == 0:
        raise ValidationError({"user": "The last owner cannot be removed."})
    ApiToken.objects.filter(workspace=workspace, user=membership.user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    for team in Team.objects.filter(workspace=workspace, members=membership.user):
        team.members.remove(membership.user)
    Team.objects.filter(workspace=workspace, manager=membership.user).update(manager=None)
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=membership, changes={"role": [membership.role, None]}
    )
    membership.delete()
    forget_memberships(membership.user)


# --- Invitations -------------------------------------------------------------------------------


def invitation_link(invitation: Invitation) -> str:
    token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
    return f"{settings.BASE_URL}/invitations/{token}/"


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, if the link is genuine and the invitation still open."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=settings.INVITATION_TTL_DAYS))
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=pk).first()
    return invitation if invitation and invitation.status == "pending" else None


@transaction.atomic
def invitation_create(*, actor: User, workspace: Workspace, email: str, role: str) -> Invitation:
    """Invite someone by email to join the workspace with a role; the email carries a one-time link."""
    require(actor, workspace, Action.ADD, ObjectType.INVITATION)
    email = _clean_email(email)
    _check_assignable(actor, workspace, role)
    if Membership.objects.filter(workspace=workspace, user__email=email).exists():
        raise ValidationError({"email": "This person is already a member of the workspace."})
    Invitation.objects.filter(workspace=workspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=invitation,
        changes={"email": [None, email], "role": [None, role]},
    )
    queue_templated_email(
        to=email,
        template="invitation",
        workspace_id=workspace.pk,
        context={"invitation": invitation, "link": invitation_link(invitation), "inviter": actor, "workspace": workspace},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, workspace: Workspace, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been accepted; its link stops working."""
    require(actor, workspace, Action.DELETE, ObjectType.INVITATION)
    if invitation.status != "pending":
        raise ValidationError({"invitation": f"This invitation is {invitation.status} and cannot be revoked."})
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=invitation, changes={"status": ["pending", "revoked"]}
    )
    return invitation


def _invited_person(invitation: Invitation, *, password: str, full_name: str) -> User:
    """The person the link was sent to, when nobody is signed in.

    The link proves they read that mailbox, which is enough to create an account or to set the
    first password of one that has none; an account that already has a password must sign in,
    or anyone holding the link could join as that person.
    """
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        return user_create(email=invitation.email, password=password, full_name=full_name)
    if user.has_usable_password():
        raise PermissionDenied(f"An account for {invitation.email} exists already; sign in to accept the invitation.")
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User | None, password: str = "", full_name: str = "") -> Membership:
    """Join the workspace: an existing user (signed in as the invited email) or a new one with a password."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError({"invitation": f"This invitation is {invitation.status}."})
    if user is None:
        user = _invited_person(invitation, password=password, full_name=full_name)
    elif user.email != invitation.email:
        raise ValidationError({"invitation": f"This invitation was sent to {invitation.email}; sign in as that address."})
    membership, _ = Membership.objects.get_or_create(workspace=invitation.workspace, user=user, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        actor=user,
        workspace=invitation.workspace,
        action=AuditEntry.Action.CREATE,
        obj=membership,
        changes={"role": [None, membership.role]},
    )
    forget_memberships(user)
    return membership


# --- Teams -------------------------------------------------------------------------------------


def _validate_team_people(workspace: Workspace, manager: User | None, members: list[User]) -> None:
    people = [*members, *([manager] if manager else [])]
    member_ids = set(Membership.objects.filter(workspace=workspace, user__in=people).values_list("user_id", flat=True))
    strangers = [person.email for person in people if person.pk not in member_ids]
    if strangers:
        raise ValidationError({"members": f"Not members of this workspace: {', '.join(sorted(set(strangers)))}."})


@transaction.atomic
def team_create(*, actor: User, workspace: Workspace, name: str, manager: User | None = None, members: list[User] | None = None) -> Team:
    """Create a team; record visibility 'team' follows its membership."""
    require(actor, workspace, Action.ADD, ObjectType.TEAM)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if Team.objects.filter(workspace=workspace, name__iexact=name).exists():
        raise ValidationError({"name": "A team with this name already exists."})
    members = members or []
    _validate_team_people(workspace, manager, members)
    team = Team.objects.create(workspace=workspace, name=name, manager=manager)
    team.members.set(members)
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=team,
        changes={"name": [None, name], "manager": [None, manager.pk if manager else None], "members": [[], sorted(m.pk for m in members)]},
    )
    return team


@transaction.atomic
def team_update(*, actor: User, workspace: Workspace, team: Team, name: str, manager: User | None, members: list[User]) -> Team:
    """Rename a team, change its manager or who is in it."""
    require(actor, workspace, Action.CHANGE, ObjectType.TEAM)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if Team.objects.filter(workspace=workspace, name__iexact=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": "A team with this name already exists."})
    _validate_team_people(workspace, manager, members)
    before = {"name": team.name, "manager": team.manager_id, "members": sorted(team.members.values_list("pk", flat=True))}
    team.name, team.manager = name, manager
    team.save(update_fields=["name", "manager", "updated_at"])
    team.members.set(members)
    after = {"name": name, "manager": manager.pk if manager else None, "members": sorted(m.pk for m in members)}
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=team, changes=audit.diff(before, after))
    return team


@transaction.atomic
def team_delete(*, actor: User, workspace: Workspace, team: Team) -> None:
    """Delete a team; its members stay in the workspace."""
    require(actor, workspace, Action.DELETE, ObjectType.TEAM)
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=team, changes={"name": [team.name, None]})
    team.delete()


# --- API tokens --------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """Create an API token for the actor in this workspace; the secret is returned once and only its hash is kept."""
    require(actor, workspace, Action.ADD, ObjectType.TOKEN)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says where it is used."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace=workspace, user=actor, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], token_hash=hash_secret(secret)
    )
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=token, changes={"name": [None, name]})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, workspace: Workspace, token: ApiToken) -> ApiToken:
    """Revoke a token; requests that carry it are refused from now on."""
    require(actor, workspace, Action.DELETE, ObjectType.TOKEN)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=token, changes={"revoked": [False, True]})
    return token


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def token_mark_used(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute so reads do not become writes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- Notifications ---------------------------------------------------------------------------------
# Notifications are not audited: they are messages to one person, not changes to the workspace's records.


@transaction.atomic
def notification_mark_read(*, actor: User, workspace: Workspace, notification: Notification) -> Notification:
    """Mark one of my notifications read (reading it again changes nothing)."""
    require(actor, workspace, Action.CHANGE, ObjectType.NOTIFICATION)
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("This notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: User, workspace: Workspace) -> int:
    """Mark all my unread notifications read; returns how many there were."""
    require(actor, workspace, Action.CHANGE, ObjectType.NOTIFICATION)
    return int(Notification.objects.filter(workspace=workspace, recipient=actor, read_at__isnull=True).update(read_at=timezone.now()))
