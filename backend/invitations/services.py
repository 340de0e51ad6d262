"""Invitations: create one (and send its e-mail after commit), accept it."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation, RoleKind
from backend.consultations.policies import ensure_allowed
from backend.consultations.services import role_grant
from backend.core import errors
from backend.invitations.models import Invitation
from backend.structures.models import MemberRole, Structure
from backend.structures.policies import can_manage_structure
from backend.structures.services import membership_add

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "inv_"  # noqa: S105 (a public marker, not a secret)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _role_error(message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(
        fields={"role": [{"code": "invalid_choice", "message": message}]}
    )


def _invitation_mail(*, invitation: Invitation, raw_token: str) -> None:
    target = invitation.consultation or invitation.structure
    link = settings.INVITATION_URL.format(token=raw_token) if settings.INVITATION_URL else ""
    lines = [
        _(
            "You are invited to join “%(target)s” (%(role)s) on the platform "
            "“le numérique pour tous”."
        )
        % {"target": target, "role": invitation.role},
        "",
        _("Accept with this link: %(link)s") % {"link": link}
        if link
        else _("Your invitation code: %(token)s") % {"token": raw_token},
        _("The invitation expires on %(date)s.")
        % {"date": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y %H:%M")},
    ]
    send_mail(
        subject=_("Invitation: %(target)s") % {"target": target},
        message="\n".join(lines),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(
    *,
    by: User,
    email: str,
    role: str,
    consultation: Consultation | None = None,
    structure: Structure | None = None,
) -> Invitation:
    """Offer a consultation role (organizers) or a structure membership (its administrators,
    staff) to an e-mail address, whether or not it has an account (nothing tells which).

    The token is random, shown only in the e-mail, and stored as its SHA-256; it expires after
    INVITATION_TTL_DAYS. The e-mail leaves after commit. No lock: each call makes a new row.
    """
    if consultation is not None:
        ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
        if role not in RoleKind.values:
            raise _role_error(_("Unknown role."))
    elif structure is not None:
        if not can_manage_structure(user=by, structure=structure):
            raise errors.PermissionDenied()
        if role not in MemberRole.values:
            raise _role_error(_("Unknown role."))
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        consultation=consultation,
        structure=structure,
        role=role,
        token_digest=_digest(raw_token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    # robust: a mail server that fails after commit is logged; the invitation stays created.
    transaction.on_commit(
        lambda: _invitation_mail(invitation=invitation, raw_token=raw_token), robust=True
    )
    return invitation


@transaction.atomic
def invitation_accept(*, by: User, token: str) -> Invitation:
    """Take up an invitation: the signed-in account must have the invited e-mail address.

    Locks the invitation row (two accepts of one token: one wins, the other sees it used).
    The role or membership is granted in the inviter's name, so an inviter who lost the right
    to grant it meanwhile makes the invitation void (permission_denied).
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("consultation", "structure", "invited_by")
        .filter(token_digest=_digest(token.strip()))
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise errors.InvitationInvalid()
    if invitation.expires_at <= timezone.now():
        raise errors.InvitationInvalid(details={"expired_at": invitation.expires_at.isoformat()})
    if by.email.strip().lower() != invitation.email:
        raise errors.InvitationForAnotherAddress()
    if invitation.consultation is not None:
        role_grant(
            by=invitation.invited_by,
            consultation=invitation.consultation,
            user=by,
            role=invitation.role,
        )
    elif invitation.structure is not None:
        try:
            membership_add(
                structure=invitation.structure,
                by=invitation.invited_by,
                user=by,
                role=invitation.role,
            )
        except errors.AlreadyMember:
            logger.info("Invitation %s accepted by a member already", invitation.pk)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation
