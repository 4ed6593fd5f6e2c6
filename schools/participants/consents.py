"""Consents at class scale: the paper consents a class returned recorded in one submit, scans
of the papers, a parent's consent given online through a one-time link, and the alerts that a
withdrawal sends to the coordinator and the curator.

Writes are keyword-only and atomic; each consent still goes through ``consent_record`` (the
register's one door), so the rules of who signs at what age hold everywhere."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from schools.audit.api import AuditAction, audit_record
from schools.participants import access
from schools.participants.models import (
    CONSENT_REQUEST_TTL_DAYS,
    REQUIRED_PURPOSE,
    SCAN_CONTENT_TYPES,
    SCAN_MAX_BYTES,
    Consent,
    ConsentAlert,
    ConsentAlertKind,
    ConsentKind,
    ConsentMethod,
    ConsentRequest,
    ConsentScan,
    ConsentSigner,
    GuardianRelation,
    Participant,
)
from schools.participants.services import (
    Errors,
    RowsValidationError,
    _validate_consent,
    consent_record,
)

# --- the paper consents of a class, in one submit ---------------------------------------------


@dataclass(frozen=True)
class PaperConsent:
    """One returned paper: whose, when, who signed and how (the arguments of
    ``consent_record`` for a grant)."""

    participant_id: int
    signed_on: datetime.date
    signed_by: str
    method: str = ConsentMethod.PAPER_SCAN
    guardian_name: str = ""
    guardian_relation: str = ""
    minor_signed: bool = False
    purpose: str = REQUIRED_PURPOSE


@transaction.atomic
def consents_record_many(*, rows: Sequence[PaperConsent], actor: Actor) -> list[int]:
    """Record the consents of many people at once (a class's returned papers); the consent ids
    in the order of ``rows``. All or nothing: every bad row is reported by its index
    (``RowsValidationError``) before anything is written."""
    ids = [row.participant_id for row in rows]
    people = {p.pk: p for p in Participant.objects.select_for_update().filter(pk__in=ids)}
    errors: dict[int, Errors] = {}
    seen: set[int] = set()
    for index, row in enumerate(rows):
        person = people.get(row.participant_id)
        if person is None:
            errors[index] = {"participant": [_("No such participant.")]}
            continue
        if row.participant_id in seen:
            errors[index] = {"participant": [_("The same person is in the list twice.")]}
            continue
        seen.add(row.participant_id)
        if person.erased_at is not None:
            errors[index] = {"participant": [_("This person's data has been erased.")]}
            continue
        row_errors = _validate_consent(
            participant=person,
            kind=ConsentKind.GRANT,
            purpose=row.purpose,
            signed_by=row.signed_by,
            guardian_name=row.guardian_name,
            guardian_relation=row.guardian_relation,
            minor_signed=row.minor_signed,
            signed_on=row.signed_on,
            method=row.method,
            text_version=None,
        )
        if row_errors:
            errors[index] = row_errors
    if errors:
        raise RowsValidationError(errors)
    return [
        consent_record(
            participant_id=row.participant_id,
            kind=ConsentKind.GRANT,
            purpose=row.purpose,
            signed_by=row.signed_by,
            signed_on=row.signed_on,
            method=row.method,
            guardian_name=row.guardian_name,
            guardian_relation=row.guardian_relation,
            minor_signed=row.minor_signed,
            actor=actor,
        ).pk
        for row in rows
    ]


# --- scans --------------------------------------------------------------------------------------


def _scan_kind(head: bytes, tail: bytes) -> str | None:
    """ "pdf" or "jpeg" when the bytes are one (by their signature, not the name), else None."""
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff") and tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "jpeg"
    return None


def scan_problems(upload: UploadedFile) -> list[str]:
    """Why the file cannot be a scan of a consent (empty when it can): PDF or JPEG by its
    content, and not larger than ``SCAN_MAX_BYTES``."""
    size = upload.size or 0
    if size == 0:
        return [_("The file is empty.")]
    if size > SCAN_MAX_BYTES:
        return [_("The file is larger than %(mb)s MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)}]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(0, size - 1024))
    tail = upload.read(1024)
    upload.seek(0)
    if _scan_kind(head, tail) is None:
        return [_("A scan must be a PDF or JPEG file.")]
    return []


@transaction.atomic
def consent_scan_attach(*, consent: Consent, upload: UploadedFile, actor: Actor) -> ConsentScan:
    """Attach a scan of the signed paper to a consent record. The file is checked by its
    content and stored under a name of our own in the institution's storage."""
    errors = scan_problems(upload)
    if errors:
        raise ValidationError({"scan": errors})
    consent = Consent.objects.select_related("participant").get(pk=consent.pk)
    access.check_consent_record(actor, consent.participant)
    if consent.participant.erased_at is not None:
        raise ValidationError({"scan": [_("This person's data has been erased.")]})
    upload.seek(0)
    content = upload.read()
    head, tail = content[:16], content[-1024:]
    kind = _scan_kind(head, tail)
    assert kind is not None
    scan = ConsentScan(
        consent=consent,
        content_type=SCAN_CONTENT_TYPES[kind],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=author_id(actor),
    )
    extension = "pdf" if kind == "pdf" else "jpg"
    scan.file.save(f"scan-{consent.pk}-{uuid.uuid4().hex}.{extension}", ContentFile(content))
    audit_record(
        actor=actor, action=AuditAction.CREATE, instance=scan, changed_fields=["consent", "file"]
    )
    return scan


# --- a consent given online through a one-time link -----------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def consent_request_create(
    *, participant_id: int, email: str = "", actor: Actor, send: bool = True
) -> ConsentRequest:
    """A one-time link for the person's consent (a parent's, for a minor). With an e-mail and
    ``send`` the worker mails it; else the staff member shows it (``consent_request_link``).
    An earlier open request for the same person stops working."""
    person = Participant.objects.filter(pk=participant_id).first()
    if person is None:
        raise ValidationError({"participant": [_("No such participant.")]})
    if person.erased_at is not None:
        raise ValidationError({"participant": [_("This person's data has been erased.")]})
    access.check_consent_record(actor, person)
    email = (email or "").strip().lower()
    if send and not email:
        raise ValidationError({"email": [_("Give the e-mail address to send the link to.")]})
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from exc
    ConsentRequest.objects.filter(participant=person, used_at__isnull=True).update(
        token_hash="", expires_at=timezone.now()
    )
    request = ConsentRequest.objects.create(
        participant=person,
        email=email,
        created_by_id=author_id(actor),
        expires_at=timezone.now() + datetime.timedelta(days=CONSENT_REQUEST_TTL_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=request,
        changed_fields=["participant", "purpose", "email"],
    )
    if send:
        from config.tasks import enqueue_on_commit
        from schools.participants.tasks import consent_request_send_task

        enqueue_on_commit(consent_request_send_task, request_id=request.pk)
    return request


def consent_request_link(*, request: ConsentRequest, host: str) -> str:
    """A fresh one-time link for the request (an earlier link of it stops working)."""
    from accounts.api import site_url

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ConsentRequest.objects.filter(pk=request.pk, used_at__isnull=True).update(
            token_hash=_hash(token)
        )
    return f"{site_url(host)}/consent/{token}/"


def consent_request_send(*, request_id: int) -> bool:
    """Mail the link of a request (the body of the worker's task). Idempotent: a request sent
    or used is not mailed again; a failed send leaves it unsent so that a retry sends it."""
    from config.db import tenant_connection
    from tenants.api import host_and_name_for_schema

    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    with transaction.atomic():
        request = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .select_related("participant")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.sent_at or request.used_at or not request.email:
            return False
        if request.expires_at < timezone.now():
            return False
        link = consent_request_link(request=request, host=host)
        request.sent_at = timezone.now()
        request.save(update_fields=["sent_at"])
        person = request.participant
        subject = "Согласие на обработку персональных данных: программа наставничества"
        body = (
            "Здравствуйте!\n\n"
            f"{organisation} просит Вас дать согласие на обработку персональных данных "
            f"({person.full_name}) для участия в программе наставничества.\n\n"
            "По ссылке ниже Вы прочитаете полный текст согласия (кто, какие данные, для чего "
            "и как долго обрабатывает, как отозвать согласие) и сможете дать его онлайн. "
            f"Ссылка одноразовая и действует до {request.expires_at:%d.%m.%Y}:\n{link}\n\n"
            "Если Вы не хотите давать согласие, просто не переходите по ссылке.\n\n"
            f"{organisation}\n"
        )
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[request.email],
        )
    return True


def consent_request_get_valid(*, token: str) -> ConsentRequest | None:
    """The open request of a link, or None (unknown, used, expired, or its person erased)."""
    if not token:
        return None
    request = (
        ConsentRequest.objects.select_related("participant", "participant__study_group")
        .filter(token_hash=_hash(token))
        .exclude(token_hash="")
        .first()
    )
    if request is None or request.used_at is not None or request.expires_at < timezone.now():
        return None
    if request.participant.erased_at is not None:
        return None
    return request


@transaction.atomic
def consent_request_accept(
    *,
    token: str,
    signer_name: str,
    guardian_relation: str = "",
    minor_agrees: bool = False,
    text_read: bool,
    actor: Actor,
) -> Consent:
    """The person behind a link gives the consent online: a grant recorded as electronic,
    signed by the guardian for a minor (with the minor's agreement from 14) or by the adult
    person. The link works once."""
    request = (
        ConsentRequest.objects.select_for_update()
        .filter(token_hash=_hash(token))
        .exclude(token_hash="")
        .first()
    )
    if request is None or request.used_at is not None or request.expires_at < timezone.now():
        raise ValidationError({"token": [_("This link is invalid, used or expired.")]})
    person = Participant.objects.get(pk=request.participant_id)
    errors: Errors = {}
    if not text_read:
        errors["text_read"] = [_("Confirm that you have read the text of the consent.")]
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        errors["signer_name"] = [_("Write your full name.")]
    age = person.age
    adult = age is not None and age >= 18
    if not adult and guardian_relation not in GuardianRelation.values:
        errors["guardian_relation"] = [_("State who you are to the child.")]
    if errors:
        raise ValidationError(errors)
    # The link is the authority here (whoever holds it signs): a named system job records it.
    link_actor = Actor.system("consent-link")
    if adult:
        consent = consent_record(
            participant_id=person.pk,
            kind=ConsentKind.GRANT,
            purpose=request.purpose,
            signed_by=ConsentSigner.SELF,
            signed_on=timezone.localdate(),
            method=ConsentMethod.ELECTRONIC,
            actor=link_actor,
        )
    else:
        consent = consent_record(
            participant_id=person.pk,
            kind=ConsentKind.GRANT,
            purpose=request.purpose,
            signed_by=ConsentSigner.GUARDIAN,
            guardian_name=signer_name,
            guardian_relation=guardian_relation,
            minor_signed=minor_agrees,
            signed_on=timezone.localdate(),
            method=ConsentMethod.ELECTRONIC,
            actor=link_actor,
        )
    request.used_at = timezone.now()
    request.consent = consent
    request.token_hash = ""
    request.save(update_fields=["used_at", "consent", "token_hash"])
    return consent


# --- alerts -------------------------------------------------------------------------------------


def _alert_recipients(alert: ConsentAlert) -> list[str]:
    """The e-mail addresses of the institution's active coordinators and of the curator of the
    person's class."""
    from accounts.models import Role, User

    rule = Q(role=Role.COORDINATOR)
    if alert.study_group_id is not None and alert.study_group is not None:
        curator_id = alert.study_group.curator_id
        if curator_id is not None:
            rule |= Q(pk=curator_id)
    addresses = User.objects.filter(rule, is_active=True).exclude(email="")
    return sorted(set(addresses.values_list("email", flat=True)))


def consent_alert_mail(*, alert_id: int) -> int:
    """E-mail an alert to the coordinators and the curator (the body of the worker's task); the
    number of letters sent. Idempotent: an alert is mailed once."""
    from config.db import tenant_connection
    from tenants.api import host_and_name_for_schema

    with transaction.atomic():
        alert = (
            ConsentAlert.objects.select_for_update(of=("self",))
            .select_related("participant", "study_group")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or alert.mailed_at is not None:
            return 0
        recipients = _alert_recipients(alert)
        alert.mailed_at = timezone.now()
        alert.save(update_fields=["mailed_at"])
        if not recipients:
            return 0
        _host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
        person = alert.participant
        group = f" ({alert.study_group.name})" if alert.study_group is not None else ""
        if alert.kind == ConsentAlertKind.WITHDRAWN:
            subject = "Отозвано согласие на обработку персональных данных"
            body = (
                f"{person.full_name}{group}: согласие на обработку персональных данных "
                "отозвано.\n\n"
                f"Приостановлено наставнических пар (групп): {alert.pairs_affected}. "
                "Участник исключается из новых документов программы; его персональные данные "
                "будут уничтожены через 30 дней, если согласие не будет дано снова.\n"
            )
        else:
            subject = "Согласие на обработку персональных данных дано снова"
            body = (
                f"{person.full_name}{group}: согласие на обработку персональных данных дано "
                f"снова.\n\nВозобновлено наставнических пар (групп): {alert.pairs_affected}.\n"
            )
        body += f"\n{organisation}\n"
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    return len(recipients)


def consent_alerts_for(*, actor: Actor) -> QuerySet[ConsentAlert]:
    """The open (unacknowledged) alerts a staff member is told of: a coordinator, director or
    deputy every one, a curator those of its classes."""
    queryset = ConsentAlert.objects.select_related("participant", "study_group").filter(
        acknowledged_at__isnull=True
    )
    return access.consent_alerts_visible_to(actor, queryset)


@transaction.atomic
def consent_alert_acknowledge(*, alert: ConsentAlert, actor: Actor) -> ConsentAlert:
    """The alert is seen to (by someone it is shown to: ``consent_alerts_for``)."""
    if not consent_alerts_for(actor=actor).filter(pk=alert.pk).exists():
        raise access.NotFound
    alert = ConsentAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by_id = author_id(actor)
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


__all__ = [
    "PaperConsent",
    "consent_alert_acknowledge",
    "consent_alert_mail",
    "consent_alerts_for",
    "consent_request_accept",
    "consent_request_create",
    "consent_request_get_valid",
    "consent_request_link",
    "consent_request_send",
    "consent_scan_attach",
    "consents_record_many",
    "scan_problems",
]
