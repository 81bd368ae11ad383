"""Services and selectors of the dishonest-debtor list (DOMAIN.md section 5; Art. 12, 13, 17, 19-31).

Services (``credit_<action>(*, actor, ...)``) run in one transaction, check permission and state, and
write the immutable ``CreditEvent``. Publishing, shielding and revoking enqueue ``credit_sync_task`` on
commit: it brings the pushes in line with the entry's state (push the current round to every unit that
applies joint punishment, withdraw everything else) and can run any number of times; the delivery outbox
(``cases.delivery.queue``) then carries each notice to its unit, who acknowledges and answers it through
the ordinary notice endpoints.

Checks (Art. 19, 26) are audited one row per identifier in ``CreditCheck``.
"""
import csv
import io
import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Capability, Unit

from . import delivery
from .identifiers import normalise_case_number_query, validate_resident_id, validate_uscc
from .models import (
    WITHDRAWN_STATES,
    Case,
    CaseOutcome,
    CaseStatus,
    CreditCheck,
    CreditCheckChannel,
    CreditEntry,
    CreditEvent,
    CreditGround,
    CreditPerson,
    CreditPersonRole,
    CreditPush,
    CreditStatus,
    Notice,
    NoticeKind,
    PartyKind,
    PartyRole,
    RevokeGround,
    credit_transition_for,
)
from .workflow import OPEN

log = logging.getLogger(__name__)

# The assistance actions by which a unit applies joint punishment; a unit offering both gets ``restrict``.
PUNISHMENT_ACTIONS = ("restrict", "publicize")
# A bulk file is as many checks as it has rows: each counts against the user's per-minute check rate
# (DEFAULT_THROTTLE_RATES["credit_check"], shared with single checks) and the unit's daily bulk rows
# (CREDIT_BULK_ROWS_PER_UNIT_DAY); a file over either is refused whole.
BULK_MAX_ROWS = 200
BULK_MAX_BYTES = 5 * 1024 * 1024
PUBLIC_PAGE_SIZE = 20
PUBLIC_MIN_QUERY = 2


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


# ---------------------------------------------------------------- identifiers

def normalise_identifier(value) -> str:
    """A resident ID number or a unified social credit code, normalised; ``ValidationError`` otherwise."""
    raw = str(value or "").strip().upper()
    for validate in (validate_resident_id, validate_uscc):
        try:
            return validate(raw)
        except ValidationError:
            continue
    raise ValidationError(_("Enter an 18-character resident ID number or unified social credit code."),
                          code="identifier")


# ---------------------------------------------------------------- entries

def _court_name(actor) -> str:
    if actor.unit_id:
        return actor.unit.name
    court = Unit.objects.filter(code="court").first()
    return court.name if court else ""


def _clean_persons(persons, party) -> tuple[list[CreditPerson], list[str]]:
    cleaned, errors = [], []
    for index, person in enumerate(persons or []):
        role = person.get("role") or CreditPersonRole.RESPONSIBLE
        name = (person.get("name") or "").strip()
        id_number = (person.get("id_number") or "").strip()
        if role not in CreditPersonRole.values:
            errors.append(_("Person %(n)s: role must be legal_rep or responsible.") % {"n": index + 1})
            continue
        if not name:
            errors.append(_("Person %(n)s: enter the name.") % {"n": index + 1})
            continue
        if id_number:
            try:
                id_number = validate_resident_id(id_number)
            except ValidationError as exc:
                errors += [_("Person %(n)s: %(error)s") % {"n": index + 1, "error": m} for m in exc.messages]
                continue
        cleaned.append(CreditPerson(role=role, name=name[:60], id_number=id_number))
    if cleaned and party.kind != PartyKind.ORGANIZATION:
        errors.append(_("Only an organisation has a legal representative and responsible persons on the list."))
    if (party.kind == PartyKind.ORGANIZATION and party.legal_representative
            and not any(p.role == CreditPersonRole.LEGAL_REPRESENTATIVE for p in cleaned)):
        cleaned.insert(0, CreditPerson(role=CreditPersonRole.LEGAL_REPRESENTATIVE,
                                       name=party.legal_representative))
    return cleaned, errors


@transaction.atomic
def credit_entry_create(*, actor, case: Case, party, ground: str = CreditGround.ABLE_BUT_REFUSES,
                        obligation: str = "", decided_on=None, persons=()) -> CreditEntry:
    """Put a debtor party of ``case`` on the list, pending publication."""
    _require(actor, "cases.add_creditentry")
    errors = {}
    if party is None or party.case_id != case.pk or party.role != PartyRole.DEBTOR:
        errors["party"] = [_("Choose a judgment debtor of this case.")]
    elif CreditEntry.objects.filter(party=party).exclude(status=CreditStatus.REVOKED).exists():
        errors["party"] = [_("%(name)s is already on the list for this case.") % {"name": party.name}]
    if ground not in CreditGround.values:
        errors["ground"] = [_("Choose a legal ground for the listing.")]
    obligation = (obligation or "").strip()
    if not obligation:
        obligation = _("Pay %(amount)s yuan as determined in case %(number)s.") % {
            "amount": case.amount, "number": case.number}
    cleaned, person_errors = ([], [])
    if "party" not in errors:
        cleaned, person_errors = _clean_persons(persons, party)
    if person_errors:
        errors["persons"] = person_errors
    if errors:
        raise ValidationError(errors)
    legal_rep = party.legal_representative or next(
        (p.name for p in cleaned if p.role == CreditPersonRole.LEGAL_REPRESENTATIVE), "")
    entry = CreditEntry.objects.create(
        case=case, party=party, name=party.name, kind=party.kind, id_number=party.id_number,
        legal_representative=legal_rep, court=_court_name(actor), ground=ground, obligation=obligation,
        decided_on=decided_on or timezone.localdate(), created_by=actor,
    )
    for person in cleaned:
        person.entry = entry
    CreditPerson.objects.bulk_create(cleaned)
    CreditEvent.objects.create(entry=entry, transition="create", from_status="", to_status=entry.status,
                               actor=actor)
    return entry


def _move(*, actor, entry: CreditEntry, name: str, reason: str = "", ground: str = "") -> CreditEntry:
    """Lock the entry, move it along the table, stamp the dates, write the event, sync on commit."""
    _require(actor, f"cases.{name}_creditentry")
    entry = CreditEntry.objects.select_for_update().get(pk=entry.pk)
    move = credit_transition_for(entry.status, name)
    reason = (reason or "").strip()
    if name == "revoke":
        # A revocation states its legal ground (失信规定 Art. 10, 12); the free-text reason is optional.
        if ground not in RevokeGround.values:
            raise ValidationError({"ground": [_("Choose the ground of the revocation.")]})
        reason = reason or RevokeGround(ground).label
    elif move.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    now = timezone.now()
    before = entry.status
    entry.status = move.target
    entry.status_reason = reason
    fields = ["status", "status_reason"]
    if name == "publish":
        entry.round += 1
        entry.published_at = now
        entry.first_published_at = entry.first_published_at or now
        fields += ["round", "published_at", "first_published_at"]
    elif name == "shield":
        entry.shielded_at = now
        fields.append("shielded_at")
    elif name == "revoke":
        entry.revoked_at = now
        entry.revoke_ground = ground
        fields += ["revoked_at", "revoke_ground"]
    entry.save(update_fields=fields)
    CreditEvent.objects.create(entry=entry, transition=name, from_status=before, to_status=move.target,
                               actor=actor, at=now, note=reason)
    if before != CreditStatus.PENDING or name == "publish":
        _sync_on_commit(entry.pk)
    return entry


@transaction.atomic
def credit_entry_publish(*, actor, entry: CreditEntry, reason: str = "") -> CreditEntry:
    return _move(actor=actor, entry=entry, name="publish", reason=reason)


@transaction.atomic
def credit_entry_shield(*, actor, entry: CreditEntry, reason: str) -> CreditEntry:
    return _move(actor=actor, entry=entry, name="shield", reason=reason)


@transaction.atomic
def credit_entry_revoke(*, actor, entry: CreditEntry, ground: str = "", reason: str = "") -> CreditEntry:
    return _move(actor=actor, entry=entry, name="revoke", reason=reason, ground=ground)


REVOKE_GROUND_BY_OUTCOME = {CaseOutcome.COMPLETED: RevokeGround.PERFORMED,
                            CaseOutcome.TERMINATED: RevokeGround.TERMINATED}


def credit_entries_remove_on_conclusion(*, actor, case: Case, outcome: str) -> list[CreditEntry]:
    """Called inside ``case_conclude``: a case performed or terminated takes its debtors off the list
    (失信规定 Art. 10: within three working days; done at once). Entries of the 终本 case it resumed are
    the same debtors' and go too. 终本 itself keeps them: it never calls this."""
    ground = REVOKE_GROUND_BY_OUTCOME[outcome]
    cases, current = [], case
    while current is not None and len(cases) < 50:
        cases.append(current.pk)
        current = current.resumed_from
    entries = list(CreditEntry.objects.filter(case_id__in=cases).exclude(status=CreditStatus.REVOKED))
    note = _("Case %(number)s concluded: %(outcome)s") % {"number": case.number,
                                                          "outcome": CaseOutcome(outcome).label}
    return [_move(actor=actor, entry=entry, name="revoke", ground=ground, reason=note) for entry in entries]


CREDIT_SERVICES = {"publish": credit_entry_publish, "shield": credit_entry_shield, "revoke": credit_entry_revoke}


# ---------------------------------------------------------------- pushes (Art. 17)

def _sync_on_commit(entry_id: int) -> None:
    transaction.on_commit(lambda: _wake_sync(entry_id), robust=True)


def _wake_sync(entry_id: int) -> None:
    try:
        credit_sync_task.delay(entry_id)
    except Exception:  # broker down: credit_sync_pending (beat) makes it good
        log.warning("could not enqueue the dishonest-list sync of entry %s; the sweep will do it", entry_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=5)
def credit_sync_task(entry_id: int) -> dict:
    return credit_sync(entry_id)


@shared_task(acks_late=True)
def credit_sync_pending_task() -> int:
    return credit_sync_pending()


def joint_punishment_targets() -> list[tuple[Unit, Capability]]:
    """Every active unit that applies joint punishment, with the capability it is asked to use:
    ``restrict`` where it offers it, else ``publicize`` (DOMAIN.md section 3)."""
    chosen = {}
    caps = (Capability.objects.filter(unit__active=True, action__code__in=PUNISHMENT_ACTIONS)
            .select_related("unit", "action").order_by("unit__sort_order", "unit__code"))
    for cap in caps:
        current = chosen.get(cap.unit_id)
        if current is None or PUNISHMENT_ACTIONS.index(cap.action.code) < PUNISHMENT_ACTIONS.index(current.action.code):
            chosen[cap.unit_id] = cap
    return [(cap.unit, cap) for cap in chosen.values()]


def _describe(entry: CreditEntry) -> str:
    who = f"{entry.name}（{entry.masked_id}）"
    persons = "、".join(f"{p.get_role_display()}{p.name}" + (f"（{p.masked_id}）" if p.id_number else "")
                       for p in entry.persons.all())
    return who + (f"；{persons}" if persons else "")


def credit_sync(entry_id: int) -> dict:
    """Make the pushes match the entry's state; idempotent, safe to run twice or concurrently.

    Published: every unit that applies joint punishment has a push of the current round, and pushes of
    earlier rounds are withdrawn. Shielded or revoked: every push not yet withdrawn is withdrawn; a push
    the unit has not answered yet is also cancelled. Pending: nothing.
    """
    from .services import _create_notices, _transition_many

    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        entry = (CreditEntry.objects.select_for_update(of=("self",)).select_related("case")
                 .prefetch_related("persons").get(pk=entry_id))
        if entry.status == CreditStatus.PENDING:
            return {"pushed": 0, "withdrawn": 0}
        case = Case.objects.select_for_update().get(pk=entry.case_id)
        last = entry.events.select_related("actor").order_by("-at", "-id").first()
        actor = last.actor if last and last.actor_id else entry.created_by
        pushes = list(entry.pushes.select_related("push", "push__action", "unit"))
        stale = [p for p in pushes if p.withdrawal_id is None
                 and (entry.status in WITHDRAWN_STATES or p.round != entry.round)]
        now = timezone.now()
        what = _describe(entry)
        reason = entry.status_reason or CreditStatus(entry.status).label

        # Withdraw: cancel what the unit has not answered yet, and ask every unit to confirm.
        open_pushes = list(Notice.objects.select_for_update().filter(
            pk__in=[p.push_id for p in stale], status__in=OPEN))
        _transition_many(open_pushes, "cancel", actor=actor, cancelled_at=now,
                         note=_("Dishonest-list entry withdrawn: %(reason)s") % {"reason": reason})
        withdrawals = _create_notices(actor=actor, case=case, issued_at=now, specs=[
            dict(unit=p.unit, action=p.push.action, kind=NoticeKind.WITHDRAW, original=p.push, party=entry.party,
                 subject=_("Withdraw the dishonest-list push %(number)s and lift the joint punishment of "
                           "%(who)s (case %(case)s). Reason: %(reason)s") % {
                     "number": p.push.number, "who": what, "case": case.number, "reason": reason})
            for p in stale
        ])
        for push, notice in zip(stale, withdrawals, strict=True):
            push.withdrawal, push.withdrawn_at = notice, now
        CreditPush.objects.bulk_update(stale, ["withdrawal", "withdrawn_at"])

        # Push the current round to the units that do not have it yet.
        created = []
        if entry.status == CreditStatus.PUBLISHED:
            done = {p.unit_id for p in pushes if p.round == entry.round}
            targets = [(unit, cap) for unit, cap in joint_punishment_targets() if unit.pk not in done]
            notices = _create_notices(actor=actor, case=case, issued_at=now, specs=[
                dict(unit=unit, action=cap.action, kind=NoticeKind.PUSH, party=entry.party,  # the listed one only
                     subject=_("Dishonest-debtor list (Art. 17): apply joint punishment to %(who)s, case "
                               "%(case)s, %(court)s, published %(date)s. Ground: %(ground)s. What your unit "
                               "applies: %(covers)s") % {
                         "who": what, "case": case.number, "court": entry.court,
                         "date": timezone.localtime(entry.published_at).strftime("%Y-%m-%d"),
                         "ground": entry.get_ground_display(), "covers": cap.covers or cap.action.name})
                for unit, cap in targets
            ])
            created = CreditPush.objects.bulk_create([
                CreditPush(entry=entry, unit=unit, round=entry.round, push=notice)
                for (unit, _cap), notice in zip(targets, notices, strict=True)
            ])
        delivery.queue([n.pk for n in open_pushes], purpose="cancel")
        delivery.queue([n.pk for n in withdrawals], purpose="issue")
        delivery.queue([p.push_id for p in created], purpose="issue")
    return {"pushed": len(created), "withdrawn": len(withdrawals)}


def entries_needing_sync():
    """Entries whose pushes lag their state (a lost task): published without a push of the current
    round, or shielded/revoked with a push not yet withdrawn."""
    current_round = CreditPush.objects.filter(entry=OuterRef("pk"), round=OuterRef("round"))
    not_withdrawn = CreditPush.objects.filter(entry=OuterRef("pk"), withdrawal__isnull=True)
    return CreditEntry.objects.filter(
        Q(status=CreditStatus.PUBLISHED) & ~Exists(current_round)
        | Q(status__in=WITHDRAWN_STATES) & Exists(not_withdrawn)
    )


def credit_sync_pending(limit: int = 500) -> int:
    """The sweep behind a lost task (run it from beat, e.g. every 10 minutes)."""
    ids = list(entries_needing_sync().values_list("id", flat=True)[:limit])
    for entry_id in ids:
        credit_sync(entry_id)
    return len(ids)


# ---------------------------------------------------------------- checks (Art. 19, 26)

def can_check(user) -> bool:
    """Any active user attached to a member unit, the court included."""
    return bool(user.is_authenticated and user.is_active and user.unit_id)


def _require_checker(actor):
    if not can_check(actor):
        raise PermissionDenied(_("Only a member unit's users may check the dishonest-debtor list."))


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you check, e.g. a loan application or a tender.")]})
    return reason[:200]


def _published_matches(identifiers):
    return (CreditEntry.objects.published().matching(identifiers).select_related("case")
            .prefetch_related("persons").order_by("-published_at", "-id"))


def matched_as(entry: CreditEntry, identifier: str) -> str:
    if entry.id_number == identifier:
        return "debtor"
    for person in entry.persons.all():
        if person.id_number == identifier:
            return person.role
    return "debtor"


@transaction.atomic
def credit_check(*, actor, id_number, reason, channel: str = CreditCheckChannel.API) -> dict:
    """Is this person or organisation on the published list? Audited whatever the answer."""
    _require_checker(actor)
    errors = {}
    try:
        identifier = normalise_identifier(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    try:
        reason = _clean_reason(reason)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    entries = list(_published_matches([identifier]))
    CreditCheck.objects.create(user=actor, unit_id=actor.unit_id, id_number=identifier, reason=reason,
                               channel=channel, listed=bool(entries))
    return {"listed": bool(entries), "entries": entries, "identifier": identifier}


class CheckQuotaExceeded(ValidationError):
    """A bulk file whose rows would go over the user's per-minute or the unit's daily check quota."""


def _charge_minute(actor, rows: int) -> None:
    """Count ``rows`` checks against the user's ``credit_check`` rate, in the very history DRF's
    throttle keeps (``CreditCheckThrottle``), so that single checks and bulk rows share one budget."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rate = api_settings.DEFAULT_THROTTLE_RATES.get("credit_check")
    if not rate:
        return
    throttle = ScopedRateThrottle()
    throttle.scope = "credit_check"
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    key = throttle.cache_format % {"scope": "credit_check", "ident": actor.pk}
    now = throttle.timer()
    history = [t for t in throttle.cache.get(key, []) if t > now - throttle.duration]
    if len(history) + rows > throttle.num_requests:
        left = max(throttle.num_requests - len(history), 0)
        raise CheckQuotaExceeded({"file": [_(
            "This file has %(rows)s rows; you may check %(left)s more now (%(limit)s a minute, each row counts). "
            "Split the list or wait a minute.") % {"rows": rows, "left": left, "limit": throttle.num_requests}]},
            code="quota")
    throttle.cache.set(key, [now] * rows + history, throttle.duration)


def _charge_unit_day(actor, rows: int) -> None:
    """At most ``CREDIT_BULK_ROWS_PER_UNIT_DAY`` bulk rows a day per unit, counted from the audit rows
    (the unit row is locked, so two files at once cannot both pass)."""
    limit = settings.CREDIT_BULK_ROWS_PER_UNIT_DAY
    Unit.objects.select_for_update().filter(pk=actor.unit_id).first()
    start = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    done = CreditCheck.objects.filter(unit_id=actor.unit_id, channel=CreditCheckChannel.BULK, at__gte=start).count()
    if done + rows > limit:
        raise CheckQuotaExceeded({"file": [_(
            "Your unit may check %(limit)s rows of lists a day and has %(left)s left today; this file has "
            "%(rows)s.") % {"limit": limit, "left": max(limit - done, 0), "rows": rows}]}, code="quota")


def _entries_for(wanted) -> dict:
    """identifier → the latest published entry it is the debtor of, else the legal representative or a
    responsible person of; two queries."""
    if not wanted:
        return {}
    published = CreditEntry.objects.published()
    found = {}
    for person in (CreditPerson.objects.filter(entry__in=published, id_number__in=wanted)
                   .select_related("entry__case").order_by("entry__published_at", "entry_id")):
        found[person.id_number] = person.entry
    for entry in published.filter(id_number__in=wanted).select_related("case").order_by("published_at", "id"):
        found[entry.id_number] = entry
    return found


@transaction.atomic
def credit_check_rows(*, actor, values, reason, batch: str = "") -> list[tuple[str, CreditEntry | None]]:
    """Check many identifiers at once (bulk file): per value, in order, a result code (``listed``,
    ``not_listed``, ``invalid`` or ``""`` for an empty value) and, when listed, the published entry (whose
    public fields alone may be shown: its name, case number, court, masked identifier). Each non-empty
    value counts as a check (quotas above) and each identifier is audited. A constant number of queries."""
    _require_checker(actor)
    reason = _clean_reason(reason)
    normalised = []
    for value in values:
        if value in (None, "") or not str(value).strip():
            normalised.append(None)
            continue
        try:
            normalised.append(normalise_identifier(value))
        except ValidationError:
            normalised.append("")
    rows = sum(1 for v in normalised if v is not None)
    if len(normalised) > BULK_MAX_ROWS:
        raise ValidationError({"file": [_("At most %(n)s rows per file.") % {"n": BULK_MAX_ROWS}]})
    if rows:
        _charge_unit_day(actor, rows)
        _charge_minute(actor, rows)
    found = _entries_for({v for v in normalised if v})
    now = timezone.now()
    CreditCheck.objects.bulk_create([
        CreditCheck(user=actor, unit_id=actor.unit_id, at=now, id_number=v, reason=reason,
                    channel=CreditCheckChannel.BULK, listed=v in found, batch=batch[:200])
        for v in normalised if v
    ])
    return [("", None) if v is None else ("invalid", None) if v == "" else
            ("listed", found[v]) if v in found else ("not_listed", None) for v in normalised]


def credit_check_many(*, actor, values, reason, batch: str = "") -> list[str]:
    """``credit_check_rows`` without the entries: a result code per value."""
    return [code for code, _entry in credit_check_rows(actor=actor, values=values, reason=reason, batch=batch)]


# ---------------------------------------------------------------- bulk files (CSV, Excel)

IDENTIFIER_HEADERS = {"id_number", "id", "identifier", "credit_code", "uscc", "证件号码", "证件号", "身份证号",
                      "身份证号码", "统一社会信用代码", "信用代码", "身份证号/统一社会信用代码"}


def _result_labels() -> dict:
    return {"listed": _("Listed as a dishonest debtor"), "not_listed": _("Not listed"),
            "invalid": _("Not a valid resident ID number or credit code"), "": ""}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_identifier(text: str) -> bool:
    try:
        normalise_identifier(text)
    except ValidationError:
        return False
    return True


def _find_column(rows: list[list[str]]) -> tuple[int, bool]:
    """(index of the identifier column, whether the first row is a header)."""
    if not rows:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [c.strip().lower() for c in rows[0]]
    for index, name in enumerate(header):
        if name in IDENTIFIER_HEADERS:
            return index, True
    width = max(len(r) for r in rows)
    best, best_count = None, 0
    for index in range(width):
        count = sum(1 for r in rows if index < len(r) and _is_identifier(r[index]))
        if count > best_count:
            best, best_count = index, count
    if best is None:
        raise ValidationError({"file": [_("No column of resident ID numbers or credit codes was found; name "
                                          "it 证件号码 or id_number.")]})
    has_header = not any(_is_identifier(c) for c in rows[0])
    return best, has_header


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else
                      "utf-8" if encoding == "utf-8-sig" else encoding)
    raise ValidationError({"file": [_("The CSV file is neither UTF-8 nor GB18030 text.")]})


def _result_headers() -> list[str]:
    return [_("Dishonest-list check"), _("Listed name"), _("Case number"), _("Court"),
            _("Listed ID number or credit code (masked)")]


def _check_rows(*, actor, rows, reason, batch) -> tuple[int, bool, list[list[str]]]:
    """Per body row, the cells to append: the result and, for a listed identifier, the public fields of
    its entry (name, case number, court, masked identifier), never any other identifier."""
    if len(rows) > BULK_MAX_ROWS + 1:
        raise ValidationError({"file": [_("At most %(n)s rows per file.") % {"n": BULK_MAX_ROWS}]})
    column, has_header = _find_column(rows)
    body = rows[1:] if has_header else rows
    results = credit_check_rows(actor=actor, values=[r[column] if column < len(r) else "" for r in body],
                                reason=reason, batch=batch)
    labels = _result_labels()
    return column, has_header, [
        [labels[code], entry.name, entry.case.number, entry.court, entry.masked_id] if entry is not None
        else [labels[code]] for code, entry in results]


def bulk_check_file(*, actor, upload, reason) -> tuple[bytes, str, str]:
    """Check every row of an uploaded CSV or Excel (.xlsx) list; return the same file with a result
    column added (and, for a listed row, the entry's public fields): (content, content type, file name).
    Every row counts as a check and is audited; a file over the quotas is refused whole
    (``CheckQuotaExceeded``)."""
    _require_checker(actor)
    name = (getattr(upload, "name", "") or "list").rsplit("/", 1)[-1]
    if upload.size > BULK_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    data = upload.read()
    headers = _result_headers()
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data))
        except Exception:
            raise ValidationError({"file": [_("This is not a readable Excel (.xlsx) file.")]}) from None
        sheet = workbook.active
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        _column, has_header, results = _check_rows(actor=actor, rows=rows, reason=reason, batch=name)
        out_col = sheet.max_column + 1
        start = 1
        if has_header:
            for index, label in enumerate(headers):
                sheet.cell(row=1, column=out_col + index, value=label)
            start = 2
        for offset, cells in enumerate(results):
            for index, value in enumerate(cells):
                sheet.cell(row=start + offset, column=out_col + index, value=value)
        out = io.BytesIO()
        workbook.save(out)
        return (out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                _result_name(name, ".xlsx"))
    if not name.lower().endswith((".csv", ".txt")):
        raise ValidationError({"file": [_("Upload a CSV file or an Excel (.xlsx) file.")]})
    text, encoding = _decode(data)
    dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    _column, has_header, results = _check_rows(actor=actor, rows=rows, reason=reason, batch=name)
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect, lineterminator="\r\n")
    body_start = 0
    if has_header:
        writer.writerow([*rows[0], *headers])
        body_start = 1
    for row, cells in zip(rows[body_start:], results, strict=True):
        writer.writerow([*row, *cells])
    return out.getvalue().encode(encoding), "text/csv; charset=utf-8", _result_name(name, ".csv")


def _result_name(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}-checked{ext}"


# ---------------------------------------------------------------- selectors

def credit_entries_visible_to(user):
    return CreditEntry.objects.visible_to(user)


def credit_entries_for_list(user, *, q: str = "", status: str = ""):
    qs = credit_entries_visible_to(user).select_related("case")
    if status in CreditStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(case__number__contains=normalise_case_number_query(q))
                       | Q(id_number=q.upper()))
    return qs


def credit_entry_for_detail(user):
    return credit_entries_visible_to(user).select_related("case", "party", "created_by").prefetch_related(
        "persons",
        Prefetch("events", queryset=CreditEvent.objects.select_related("actor")),
        Prefetch("pushes", queryset=CreditPush.objects.select_related("unit", "push", "push__action",
                                                                      "withdrawal").order_by("round", "unit__sort_order")),
    )


def credit_entries_for_case(user, case):
    return credit_entries_visible_to(user).filter(case=case).order_by("id")


def entries_to_propose_revoking(case, entries=None):
    """Entries of a performed or terminated case still on the list: normally none, since the conclusion
    revokes them; one left (e.g. listed after the conclusion) is proposed to the clerk. ``entries``: the
    case's entries already fetched (the case page), else they are queried."""
    if case.status != CaseStatus.CONCLUDED or case.outcome not in REVOKE_GROUND_BY_OUTCOME:
        return []
    if entries is None:
        entries = CreditEntry.objects.filter(case=case).order_by("id")
    return [e for e in entries if e.status != CreditStatus.REVOKED]


def public_entries(q: str = ""):
    """What the public page shows: published entries only, searched by name (at least two characters),
    else the latest page. No identifiers but masked ones leave this function's callers."""
    qs = CreditEntry.objects.published().select_related("case").order_by("-published_at", "-id")
    q = (q or "").strip()
    if len(q) >= PUBLIC_MIN_QUERY:
        qs = qs.filter(name__contains=q)
    return qs[:PUBLIC_PAGE_SIZE]


def pushes_for_unit(user, *, open_only: bool = False):
    """The pushes and withdrawals a unit must apply and confirm (court roles see every unit's)."""
    qs = CreditPush.objects.visible_to(user).for_list()
    if open_only:
        qs = qs.filter(Q(push__status__in=OPEN) | Q(withdrawal__status__in=OPEN))
    return qs
