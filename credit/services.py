"""Services of the dishonest-debtor list (DOMAIN.md section 5; Art. 12, 13, 17, 19-31), by the 2017 rules
(失信规定, see ``credit.rules``): the listing period (Art. 2), no minor (Art. 4), Art. 3 for ground 1,
the grace period (法发〔2019〕35号 item 15), deletion within three working days (Art. 10) apart from
revocation of a wrong listing (Art. 11, 12), and re-publication after shielding as a decision of its own.

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

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, Max, Min, OuterRef, Q
from django.db.models.functions import Concat, Left, Right
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from cases import services as case_services
from cases.deadlines import working_days_after
from cases.identifiers import normalise_case_number_query, parse_case_number
from cases.measure_models import MeasureStatus
from cases.models import Case, CaseOutcome, CaseStatus, NoticeKind, PartyKind, PartyRole
from linkage import spreadsheets
from linkage.identity import is_valid_resident_id, mask_identifier, validate_resident_id, validate_uscc
from linkage.numerals import format_yuan
from linkage.statemachine import change_state, lock
from linkage.text import safe_row, strip_controls
from members.models import Capability, Unit
from members.roles import Role, has_role, system_actor

from . import rules
from .models import (
    ARTICLE_10_GROUNDS,
    CORRECTION_GROUNDS,
    DELETION_GROUNDS,
    FIXED_TERM_YEARS,
    MAX_EXTENSION_YEARS,
    CorrectionSource,
    CreditCheck,
    CreditCheckAlert,
    CreditCheckChannel,
    CreditEntry,
    CreditEvent,
    CreditGround,
    CreditPerson,
    CreditPersonRole,
    CreditPush,
    CreditStatus,
    RevokeGround,
)
from .workflow import CREDIT_MACHINE, WITHDRAWN_STATES

log = logging.getLogger(__name__)

# The assistance actions by which a unit applies joint punishment; a unit offering both gets ``restrict``.
PUNISHMENT_ACTIONS = ("restrict", "publicize")
# A bulk file is as many checks as it has rows: each counts against the user's per-minute check rate
# (DEFAULT_THROTTLE_RATES["credit_check"], shared with single checks) and the unit's daily bulk rows
# (CREDIT_BULK_ROWS_PER_UNIT_DAY); a file over either is refused whole.
BULK_MAX_ROWS = 200
BULK_MAX_BYTES = 5 * 1024 * 1024
# A file is read only as far as a list of BULK_MAX_ROWS rows goes (issue 29: uploads bounded by work): at
# most this many columns a row and characters a cell; an Excel file's parts are counted before openpyxl
# reads any of them (``linkage.spreadsheets.xlsx_within_bounds``), so that a refused file costs milliseconds.
BULK_MAX_COLUMNS = 30
BULK_MAX_CELL_CHARS = 1000
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNPACKED = 10 * 1024 * 1024
XLSX_MAX_CELL_ELEMENTS = 24_000  # XML elements of the worksheets and the shared strings, together
XLSX_MAX_OTHER_ELEMENTS = 4_000  # and of every other part (styles, workbook, properties), together
# Single checks (issue 29, the guessing oracle): a unit's daily budget (CREDIT_SINGLE_CHECKS_PER_UNIT_DAY),
# and the alert to the office when one account checks more than CREDIT_GUESS_ALERT_DISTINCT distinct
# resident IDs of one masked form in a day.
SINGLE_CHECKS_PER_UNIT_DAY = 200
GUESS_ALERT_DISTINCT = 5
# Uploads of a bulk file to the browser page, accepted or refused, per user and per client address
# (CREDIT_BULK_UPLOAD_RATE, CREDIT_BULK_UPLOAD_ADDRESS_RATE).
BULK_UPLOAD_RATE = "10/min"
BULK_UPLOAD_ADDRESS_RATE = "30/min"
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
                        obligation: str = "", decided_on=None, persons=(), extension_years: int = 0,
                        extension_reason: str = "", grace_months: int = 0, grace_warning: str = "",
                        measures_note: str = "") -> CreditEntry:
    """Put a debtor party of ``case`` on the list, pending publication.

    Refused: a minor at the decision date (Art. 4); for ground 1, a debtor whose held property already
    secures the whole debt (Art. 3(2)) unless the clerk states why it does not (``measures_note``).
    Ground 1 has no fixed term; grounds 2-6 two years, extended by one to three years for a serious
    case with the reason (Art. 2). A grace period of one to three months (法发〔2019〕35号 item 15)
    keeps the entry unpublished until it ends, with the warning given to the debtor recorded.
    """
    _require(actor, "credit.add_creditentry")
    errors = {}
    decided_on = decided_on or timezone.localdate()
    if party is None or party.case_id != case.pk or party.role != PartyRole.DEBTOR:
        errors["party"] = [_("Choose a judgment debtor of this case.")]
    elif CreditEntry.objects.filter(party=party).exclude(
            status__in=[CreditStatus.REVOKED, CreditStatus.DELETED]).exists():
        errors["party"] = [_("%(name)s is already on the list for this case.") % {"name": party.name}]
    elif party.kind != PartyKind.ORGANIZATION and rules.is_minor_on(party.id_number, decided_on):
        errors["party"] = [_("%(name)s is a minor on the decision date; a minor may not be listed "
                             "(失信规定 Art. 4).") % {"name": party.name}]
    if ground not in CreditGround.values:
        errors["ground"] = [_("Choose a legal ground for the listing.")]
    elif ground == CreditGround.ABLE_BUT_REFUSES and "party" not in errors:
        secured = held_property_secures(case)
        if secured is not None and not (measures_note or "").strip():
            errors["measures_note"] = [_(
                "The measures register holds %(secured)s yuan against %(owed)s owed: property already held "
                "that suffices for the debt bars listing on ground 1 (失信规定 Art. 3(2)). State why it does not "
                "suffice to list anyway.") % {"secured": format_yuan(secured), "owed": format_yuan(case.amount)}]
    extension_years = int(extension_years or 0)
    extension_reason = (extension_reason or "").strip()
    if extension_years:
        if ground == CreditGround.ABLE_BUT_REFUSES:
            errors["extension_years"] = [_("Ground 1 has no fixed term to extend (失信规定 Art. 2).")]
        elif not 1 <= extension_years <= MAX_EXTENSION_YEARS:
            errors["extension_years"] = [_("An extension is one to three years (失信规定 Art. 2).")]
        elif not extension_reason:
            errors["extension_reason"] = [_("State why the case is serious enough to extend the period.")]
    grace_months = int(grace_months or 0)
    grace_warning = (grace_warning or "").strip()
    if grace_months:
        if not rules.GRACE_MIN_MONTHS <= grace_months <= rules.GRACE_MAX_MONTHS:
            errors["grace_months"] = [_("A grace period is one to three months (法发〔2019〕35号 item 15).")]
        elif not grace_warning:
            errors["grace_warning"] = [_("Record the warning notice given to the debtor.")]
    obligation = (obligation or "").strip()
    if not obligation:
        obligation = _("Pay %(amount)s yuan as determined in case %(number)s.") % {
            "amount": format_yuan(case.amount), "number": case.number}
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
        decided_on=decided_on, created_by=actor,
        period_years=None if ground == CreditGround.ABLE_BUT_REFUSES else FIXED_TERM_YEARS,
        extension_years=extension_years, extension_reason=extension_reason,
        grace_until=rules.grace_end(decided_on, grace_months) if grace_months else None,
        grace_warning=grace_warning, measures_note=(measures_note or "").strip(),
    )
    for person in cleaned:
        person.entry = entry
    CreditPerson.objects.bulk_create(cleaned)
    CreditEvent.objects.create(entry=entry, transition="create", from_status="", to_status=entry.status,
                               actor=actor, note=_("Grace period until %(date)s; warning: %(warning)s") % {
                                   "date": entry.grace_until, "warning": grace_warning} if grace_months else "")
    return entry


def held_property_secures(case: Case):
    """The amount the measures register holds for ``case`` if it covers the whole debt, else ``None``."""
    from django.db.models import Sum

    from cases.measure_models import Measure

    secured = (Measure.objects.filter(case=case, status=MeasureStatus.ACTIVE)
               .aggregate(total=Sum("amount"))["total"])
    if secured is not None and case.amount is not None and secured >= case.amount:
        return secured
    return None


PERMISSION_OF = {"publish": "publish", "republish": "publish", "shield": "shield", "delete": "revoke",
                 "revoke": "revoke"}


def move_entry(*, actor, entry: CreditEntry, name: str, reason: str = "", ground: str = "", extra=None,
               system: bool = False) -> CreditEntry:
    """Lock the entry, move it along the table, stamp the dates, write the event, sync on commit.
    ``system``: the daily sweep or the conclusion, acting by the rules (no permission check)."""
    if not system:
        _require(actor, f"credit.{PERMISSION_OF[name]}_creditentry")
    entry = lock(entry)
    move = CREDIT_MACHINE.transition_for(entry.status, name)
    reason = (reason or "").strip()
    today = timezone.localdate()
    if name == "delete":
        if ground not in DELETION_GROUNDS:
            raise ValidationError({"ground": [_("Choose the ground of the deletion (失信规定 Art. 10).")]})
        if ground in ARTICLE_10_GROUNDS and not _article_10_applies(entry):
            raise ValidationError({"ground": [_(
                "A fixed-term entry is not deleted on a ground of Art. 10 (失信规定 Art. 10 para. 2): it runs its "
                "period, or the president decides to delete it early (Art. 2).")]})
        if ground == RevokeGround.EARLY and not system:
            raise ValidationError({"ground": [_("An early deletion is the president's decision: propose it.")]})
        reason = reason or RevokeGround(ground).label
    elif name == "revoke":
        # A revocation states its legal ground (失信规定 Art. 11, 12); the free-text reason is optional.
        if ground not in CORRECTION_GROUNDS:
            raise ValidationError({"ground": [_("Choose the ground of the revocation.")]})
        reason = reason or RevokeGround(ground).label
    elif move.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if name == "publish" and entry.grace_until and today < entry.grace_until:
        raise ValidationError({"grace_until": [_(
            "The grace period runs until %(date)s; the entry may be published after it ends "
            "(法发〔2019〕35号 item 15).") % {"date": entry.grace_until}]})
    now = timezone.now()
    fields = {"status_reason": reason}
    if name in ("publish", "republish"):
        fields.update(round=entry.round + 1, published_at=now)
        if entry.first_published_at is None:
            fields.update(first_published_at=now,
                          expires_on=rules.expiry(today, entry.period_years, entry.extension_years))
    elif name == "shield":
        fields.update(shielded_at=now)
    elif name == "delete":
        cause_on = (extra or {}).get("cause_on") or entry.deletion_cause_on or today
        fields.update(deleted_at=now, revoke_ground=ground, deletion_ground=ground, deletion_cause_on=cause_on,
                      deletion_due_on=entry.deletion_due_on or working_days_after(cause_on, 3))
    elif name == "revoke":
        extra = extra or {}
        fields.update(revoked_at=now, revoke_ground=ground,
                      correction_source=extra.get("source") or CorrectionSource.COURT,
                      correction_applied_on=extra.get("applied_on"),
                      correction_application=(extra.get("application") or "").strip(),
                      correction_decision=(extra.get("decision") or "").strip() or reason)
    # A unit learns of an entry once it is published; a pending one dropped was never pushed.
    synced = entry.status != CreditStatus.PENDING or name == "publish"
    return change_state(entry, CREDIT_MACHINE, name, actor=actor, event=CreditEvent, subject="entry", note=reason,
                        then=(lambda: _wake_sync(entry.pk)) if synced else None, **fields)


@transaction.atomic
def credit_entry_publish(*, actor, entry: CreditEntry, reason: str = "") -> CreditEntry:
    """Publish a pending entry; a shielded one is published again by ``credit_entry_republish``
    (a new decision): asked to publish a shielded entry with a reason, that is what is done."""
    current = CreditEntry.objects.only("status").get(pk=entry.pk)
    if current.status == CreditStatus.SHIELDED:
        return move_entry(actor=actor, entry=entry, name="republish", reason=reason)
    return move_entry(actor=actor, entry=entry, name="publish", reason=reason)


@transaction.atomic
def credit_entry_republish(*, actor, entry: CreditEntry, reason: str) -> CreditEntry:
    """Shielded → published: a new decision with its reason and event, and a new push round."""
    return move_entry(actor=actor, entry=entry, name="republish", reason=reason)


@transaction.atomic
def credit_entry_delete(*, actor, entry: CreditEntry, ground: str, reason: str = "", cause_on=None,
                        system: bool = False) -> CreditEntry:
    """Art. 10: delete the entry (performed, settled, the creditor asks, terminated, basis revoked or
    not enforced, period expired); the withdrawals go to the units. ``cause_on``: when the cause
    arose (default today); the three-working-day limit is counted from it and kept on the entry."""
    if cause_on is not None and cause_on > timezone.localdate():
        raise ValidationError({"cause_on": [_("The cause of deletion cannot be in the future.")]})
    return move_entry(actor=actor, entry=entry, name="delete", reason=reason, ground=ground,
                 extra={"cause_on": cause_on}, system=system)


@transaction.atomic
def credit_entry_note_deletion_cause(*, actor, entry: CreditEntry, ground: str, cause_on=None,
                                     reason: str = "") -> CreditEntry:
    """Record that a cause of deletion arose (e.g. the creditor's written request received on a day):
    the entry must be deleted within three working days of it (Art. 10); the daily sweep deletes it
    on the last day if nobody did before."""
    _require(actor, "credit.revoke_creditentry")
    return _note_cause(actor=actor, entry=entry, ground=ground, cause_on=cause_on, reason=reason)


def _note_cause(*, actor, entry, ground, cause_on=None, reason: str = "") -> CreditEntry:
    if ground not in DELETION_GROUNDS:
        raise ValidationError({"ground": [_("Choose the ground of the deletion (失信规定 Art. 10).")]})
    cause_on = cause_on or timezone.localdate()
    if cause_on > timezone.localdate():
        raise ValidationError({"cause_on": [_("The cause of deletion cannot be in the future.")]})
    entry = CreditEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry.pk)
    if ground in ARTICLE_10_GROUNDS and not _article_10_applies(entry):
        raise ValidationError({"ground": [_("A fixed-term entry is not deleted on a ground of Art. 10 (失信规定 Art. 10 "
                                            "para. 2): it runs its period, or the court decides to delete it early.")]})
    if not entry.is_live:
        raise ValidationError({"status": [_("This entry is no longer on the list.")]})
    entry.deletion_ground, entry.deletion_cause_on = ground, cause_on
    entry.deletion_due_on = working_days_after(cause_on, 3)
    entry.save(update_fields=["deletion_ground", "deletion_cause_on", "deletion_due_on"])
    CreditEvent.objects.create(entry=entry, transition="deletion_due", from_status=entry.status,
                               to_status=entry.status, actor=actor,
                               note=_("%(ground)s on %(cause)s: delete by %(due)s") % {
                                   "ground": RevokeGround(ground).label, "cause": cause_on,
                                   "due": entry.deletion_due_on} + (f" ({reason.strip()})" if reason else ""))
    return entry


@transaction.atomic
def credit_entry_correct(*, actor, entry: CreditEntry, reason: str = "", source: str = CorrectionSource.COURT,
                         applied_on=None, application: str = "", decision: str = "") -> CreditEntry:
    """Art. 11, 12: revoke a wrong listing, on the listed person's written application (recorded, with
    the day it was received) or on the court's own finding, with the decision."""
    errors = {}
    if source not in CorrectionSource.values:
        errors["source"] = [_("Say whether the listed person applied or the court found it itself.")]
    elif source == CorrectionSource.APPLICATION and not (application or "").strip():
        errors["application"] = [_("Record the written application.")]
    if errors:
        raise ValidationError(errors)
    return move_entry(actor=actor, entry=entry, name="revoke", ground=RevokeGround.WRONGLY_LISTED,
                 reason=reason or decision, extra={"source": source, "applied_on": applied_on,
                                                   "application": application, "decision": decision})


@transaction.atomic
def credit_entry_shield(*, actor, entry: CreditEntry, reason: str) -> CreditEntry:
    return move_entry(actor=actor, entry=entry, name="shield", reason=reason)


@transaction.atomic
def credit_entry_revoke(*, actor, entry: CreditEntry, ground: str = "", reason: str = "") -> CreditEntry:
    """The API's ``revoke`` (API.md): an Art. 10 ground deletes the entry (``credit_entry_delete``),
    ``wrongly_listed`` revokes it as a correction found by the court (``credit_entry_correct``)."""
    if ground in DELETION_GROUNDS:
        return credit_entry_delete(actor=actor, entry=entry, ground=ground, reason=reason)
    if ground in CORRECTION_GROUNDS:
        return credit_entry_correct(actor=actor, entry=entry, reason=reason)
    _require(actor, "credit.revoke_creditentry")
    raise ValidationError({"ground": [_("Choose the ground of the revocation.")]})


# 失信规定 Art. 10: the endings that delete a listing, and the ground each is recorded under (10(1)
# performed, 10(6) not enforced, 10(7) terminated; an application rejected or a filing cancelled ends the
# court's enforcement as a termination does). A settlement performed in full is 10(2).
DELETE_GROUND_BY_OUTCOME = {CaseOutcome.COMPLETED: RevokeGround.PERFORMED,
                            CaseOutcome.TERMINATED: RevokeGround.TERMINATED,
                            CaseOutcome.NOT_ENFORCED: RevokeGround.BASIS_REVOKED,
                            CaseOutcome.APPLICATION_REJECTED: RevokeGround.TERMINATED,
                            CaseOutcome.FILING_CANCELLED: RevokeGround.TERMINATED}
REVOKE_GROUND_BY_OUTCOME = DELETE_GROUND_BY_OUTCOME  # the former name


def _article_10_applies(entry) -> bool:
    """失信规定 Art. 10 para. 2: "有纳入期限的，不适用前款规定": a fixed-term entry on the list stays until its
    period ends (or the court decides to delete it early, Art. 2). One never published is simply dropped."""
    return not entry.fixed_term or entry.first_published_at is None


def credit_entries_remove_on_conclusion(*, actor, case: Case, outcome: str) -> list[CreditEntry]:
    """A case performed or terminated deletes its debtors' entries by itself (失信规定 Art. 10: within
    three working days of the conclusion; done at once, no proposal), except a fixed-term entry on the
    list, which runs its period (Art. 10 para. 2). Entries of the 终本 case it resumed are the same
    debtors' and go too. 终本 keeps them. Idempotent: run from the ``case_concluded`` hook and again by the
    daily sweep."""
    ground = DELETE_GROUND_BY_OUTCOME.get(outcome)
    if ground is None:
        return []
    if ground == RevokeGround.PERFORMED and case.settlements.filter(status="performed").exists():
        ground = RevokeGround.SETTLED
    entries = [e for e in CreditEntry.objects.filter(case_id__in=case.chain_ids())
               .exclude(status__in=[CreditStatus.REVOKED, CreditStatus.DELETED]) if _article_10_applies(e)]
    note = _("Case %(number)s concluded: %(outcome)s") % {"number": case.number,
                                                          "outcome": CaseOutcome(outcome).label}
    cause_on = timezone.localdate(case.concluded_at) if case.concluded_at else None
    return [move_entry(actor=actor, entry=entry, name="delete", ground=ground, reason=note,
                  extra={"cause_on": cause_on}, system=True) for entry in entries]


def credit_entries_remove_on_suspension(*, actor, case: Case, suspension) -> list[CreditEntry]:
    """失信规定 Art. 10(5): enforcement suspended for a retrial or bankruptcy deletes the debtors' entries."""
    from cases.lifecycle import SUSPENSION_LIST_GROUND

    if suspension.ground not in SUSPENSION_LIST_GROUND:
        return []
    entries = [e for e in CreditEntry.objects.filter(case_id__in=case.chain_ids())
               .exclude(status__in=[CreditStatus.REVOKED, CreditStatus.DELETED]) if _article_10_applies(e)]
    note = _("Case %(number)s suspended: %(ground)s") % {"number": case.number,
                                                        "ground": suspension.get_ground_display()}
    cause_on = timezone.localdate(suspension.started_at)
    return [move_entry(actor=actor, entry=entry, name="delete", ground=RevokeGround.SUSPENDED, reason=note,
                  extra={"cause_on": cause_on}, system=True) for entry in entries]


def credit_entries_note_no_property(*, actor, case: Case) -> list[CreditEntry]:
    """失信规定 Art. 10(4): after 终本, the network searches found nothing twice or more and nobody gave a
    lead: the deletion of the debtors' entries (not fixed-term ones) is due within three working days (the
    daily sweep deletes them on the last day if nobody did before)."""
    from cases.models import PropertySearch

    results = list(PropertySearch.objects.filter(case__in=case.chain_ids()).values_list("result", flat=True))
    if results.count("nothing") < 2 or any(r != "nothing" for r in results):
        return []
    noted = []
    for entry in CreditEntry.objects.filter(case_id__in=case.chain_ids(), deletion_ground="").exclude(
            status__in=[CreditStatus.REVOKED, CreditStatus.DELETED]):
        if _article_10_applies(entry):
            noted.append(_note_cause(actor=actor, entry=entry, ground=RevokeGround.NO_PROPERTY,
                                     reason=_("%(n)s searches after 终本 found nothing; no lead was given.")
                                     % {"n": results.count("nothing")}))
    return noted


CREDIT_SERVICES = {"publish": credit_entry_publish, "shield": credit_entry_shield, "revoke": credit_entry_revoke,
                   "republish": credit_entry_republish}


def credit_daily_sweep(*, today=None) -> dict:
    """The daily sweep (beat ``sweep-dishonest-list``), by the system, idempotent:

    - a fixed listing period that ended is deleted (Art. 10 (period expired), within three working
      days of the end: on the next run) and withdrawn from the units;
    - an entry whose deletion clock (a cause noted) reaches its last working day is deleted;
    - an entry of a case concluded ``completed`` or ``terminated`` still live (a lost hook) is deleted.
    """
    today = today or timezone.localdate()
    done = {"expired": 0, "due": 0, "concluded": 0}
    system = system_actor()
    # ``expires_on`` is the period's last day (rules.expiry): deleted from the day after.
    for entry in CreditEntry.objects.filter(status__in=[CreditStatus.PUBLISHED, CreditStatus.SHIELDED],
                                            expires_on__lt=today):
        with transaction.atomic():
            move_entry(actor=system, entry=entry, name="delete", ground=RevokeGround.EXPIRED, system=True,
                  extra={"cause_on": entry.expires_on},
                  reason=_("The listing period ended on %(date)s (失信规定 Art. 2, 10).") % {"date": entry.expires_on})
        done["expired"] += 1
    live = [CreditStatus.PENDING, CreditStatus.PROPOSED, CreditStatus.DECIDED, CreditStatus.PUBLISHED,
            CreditStatus.SHIELDED]
    for entry in CreditEntry.objects.filter(status__in=live, deletion_due_on__lte=today).exclude(deletion_ground=""):
        with transaction.atomic():
            move_entry(actor=system, entry=entry, name="delete", ground=entry.deletion_ground, system=True,
                  reason=_("Deleted on the last day of the three working days (失信规定 Art. 10)."))
        done["due"] += 1
    for case in Case.objects.filter(status=CaseStatus.CONCLUDED, outcome__in=list(DELETE_GROUND_BY_OUTCOME),
                                    credit_entries__status__in=live).distinct():
        with transaction.atomic():
            done["concluded"] += len(credit_entries_remove_on_conclusion(actor=case.concluded_by or system,
                                                                         case=case, outcome=case.outcome))
    return done


# ---------------------------------------------------------------- pushes (Art. 17)

def _wake_sync(entry_id: int) -> None:
    from .tasks import credit_sync_task

    try:
        credit_sync_task.delay(entry_id)
    except Exception:  # broker down: credit_sync_pending (beat) makes it good
        log.warning("could not enqueue the dishonest-list sync of entry %s; the sweep will do it", entry_id)


def joint_punishment_targets(court_id=None) -> list[tuple[Unit, Capability]]:
    """Every active unit of the court's conference (``court_id``; the first court's by default) that
    applies joint punishment, with the capability it is asked to use: ``restrict`` where it offers it,
    else ``publicize`` (DOMAIN.md section 3)."""
    from members.courts import home_court_id

    chosen = {}
    caps = (Capability.objects.filter(unit__active=True, action__code__in=PUNISHMENT_ACTIONS,
                                      unit__court_id=court_id or home_court_id())
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
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        # The case first, then the entry: the order a case's conclusion takes them in (it locks the case,
        # then lifts its entries), so the two never wait on each other crosswise (a deadlock).
        case_id = CreditEntry.objects.values_list("case_id", flat=True).get(pk=entry_id)
        case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case_id)  # as system notices want
        entry = (CreditEntry.objects.select_for_update(of=("self",), no_key=True).select_related("case")
                 .prefetch_related("persons").get(pk=entry_id))
        if entry.status == CreditStatus.PENDING:
            return {"pushed": 0, "withdrawn": 0}
        last = entry.events.select_related("actor").order_by("-at", "-id").first()
        actor = last.actor if last and last.actor_id else entry.created_by
        pushes = list(entry.pushes.select_related("push", "push__action", "unit"))
        stale = [p for p in pushes if p.withdrawal_id is None
                 and (entry.status in WITHDRAWN_STATES or p.round != entry.round)]
        now = timezone.now()
        what = _describe(entry)
        reason = entry.status_reason or CreditStatus(entry.status).label

        # Withdraw: cancel what the unit has not answered yet, and ask every unit to confirm.
        case_services.system_notices_cancel(
            actor=actor, notices=[p.push for p in stale],
            note=_("Dishonest-list entry withdrawn: %(reason)s") % {"reason": reason})
        withdrawals = case_services.system_notices_issue(actor=actor, case=case, issued_at=now, specs=[
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
            targets = [(unit, cap) for unit, cap in joint_punishment_targets(case.court_id)
                       if unit.pk not in done]
            notices = case_services.system_notices_issue(actor=actor, case=case, issued_at=now, specs=[
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

SINGLE_CHANNELS = (CreditCheckChannel.API, CreditCheckChannel.BROWSER)


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


def single_checks_per_unit_day() -> int:
    return int(getattr(settings, "CREDIT_SINGLE_CHECKS_PER_UNIT_DAY", SINGLE_CHECKS_PER_UNIT_DAY))


def guess_alert_distinct() -> int:
    return int(getattr(settings, "CREDIT_GUESS_ALERT_DISTINCT", GUESS_ALERT_DISTINCT))


def bulk_upload_rates() -> dict:
    """How many bulk files a user, and a client address, may upload to the page in a period."""
    return {"user": getattr(settings, "CREDIT_BULK_UPLOAD_RATE", BULK_UPLOAD_RATE),
            "address": getattr(settings, "CREDIT_BULK_UPLOAD_ADDRESS_RATE", BULK_UPLOAD_ADDRESS_RATE)}


def _day_start(now=None):
    """The start of the day (Asia/Shanghai) ``now`` falls in: a unit's daily budgets count from it."""
    return timezone.make_aware(datetime.combine(timezone.localdate(now), datetime.min.time()))


def check_purpose(actor, purpose) -> tuple[Case, object]:
    """The work a single check is for (issue 29): ``purpose`` is the number of a notice addressed to the
    actor's unit (``（2026）鄂1022执1号-001``), or of a case the unit may see (for a liaison, a case with a
    notice to their unit; for the court, any). Returns (case, notice or None). A number of another unit's
    case or notice is refused with the very words of a number that does not exist: nothing is learnt."""
    text = normalise_case_number_query(strip_controls(str(purpose or "")))[:80]
    if not text:
        raise ValidationError({"purpose": [_(
            "Give the number of the case or of the notice of your unit that this check is for.")]},
            code="purpose")
    notice = (case_selectors.notices_visible_to(actor).filter(number=text).select_related("case")
              .order_by("id").first())
    if notice is not None:
        return notice.case, notice
    try:
        number = parse_case_number(text).number
    except ValidationError:
        number = text
    case = case_selectors.cases_visible_to(actor).filter(number=number).first()
    if case is not None:
        return case, None
    raise ValidationError({"purpose": [_(
        "No case or notice of your unit has this number; give the number of the case or notice this check "
        "is for.")]}, code="purpose")


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


def _lock_unit(actor) -> None:
    """The checking unit's row, locked so that two checks at once cannot both pass a daily budget. FOR NO
    KEY UPDATE where the database has it: it does not wait for, nor block, the foreign-key checks of
    rows written for the unit meanwhile (notices, answers)."""
    no_key = connection.features.has_select_for_no_key_update
    Unit.objects.select_for_update(no_key=no_key).filter(pk=actor.unit_id).first()


def _charge_unit_singles(actor) -> None:
    """At most ``CREDIT_SINGLE_CHECKS_PER_UNIT_DAY`` single checks (API and page) a day per unit, counted
    from the audit rows."""
    limit = single_checks_per_unit_day()
    _lock_unit(actor)
    done = CreditCheck.objects.filter(unit_id=actor.unit_id, channel__in=SINGLE_CHANNELS,
                                      at__gte=_day_start()).count()
    if done >= limit:
        raise CheckQuotaExceeded({"id_number": [_(
            "Your unit has made its %(limit)s single checks of the list for today; check again tomorrow, or "
            "check a list of borrowers or suppliers as a file.") % {"limit": limit}]}, code="quota")


@transaction.atomic
def credit_check(*, actor, id_number, reason, purpose="", channel: str = CreditCheckChannel.API,
                 name: str = "") -> dict:
    """Is this person or organisation on the published list? Audited whatever the answer. With ``name``
    (失信规定 Art. 19, 26: a person is checked by name and ID), only an entry whose debtor or listed
    person has that ID under that name answers.

    ``purpose`` (required): the number of the case or notice of the actor's unit the check is for
    (``check_purpose``). A unit makes at most ``CREDIT_SINGLE_CHECKS_PER_UNIT_DAY`` single checks a day
    (``CheckQuotaExceeded``); an account that checks many IDs of one masked form raises an alert."""
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
    try:
        case, notice = check_purpose(actor, purpose)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _charge_unit_singles(actor)
    entries = list(_published_matches([identifier]))
    name = (name or "").strip()
    if name:
        entries = [e for e in entries if (e.id_number == identifier and e.name == name)
                   or any(p.id_number == identifier and p.name == name for p in e.persons.all())]
    now = timezone.now()
    CreditCheck.objects.create(user=actor, unit_id=actor.unit_id, at=now, id_number=identifier, reason=reason,
                               channel=channel, listed=bool(entries), purpose_case=case, purpose_notice=notice)
    _watch_guessing(actor, [identifier], now)
    return {"listed": bool(entries), "entries": entries, "identifier": identifier}


# ---------------------------------------------------------------- the guessing alert

def mask_key(identifier: str) -> str:
    """What the public list leaves of a resident ID: its first and last four characters."""
    return identifier[:4] + identifier[-4:]


def _mask_key_expression():
    return Concat(Left("id_number", 4), Right("id_number", 4), output_field=CharField())


def _watch_guessing(actor, identifiers, now) -> list[CreditCheckAlert]:
    """After ``actor``'s checks of ``identifiers`` at ``now`` are recorded: each masked form of which the
    account has checked more than ``CREDIT_GUESS_ALERT_DISTINCT`` distinct resident IDs today raises (or
    updates, and opens again) a ``CreditCheckAlert``. Organisations' credit codes are public and not
    watched. One query, and one write per alert."""
    keys = {mask_key(v) for v in identifiers if v and is_valid_resident_id(v)}
    if not keys:
        return []
    limit = guess_alert_distinct()
    rows = list(CreditCheck.objects.filter(user=actor, at__gte=_day_start(now))
                .annotate(mask_key=_mask_key_expression()).filter(mask_key__in=keys)
                .values("mask_key").annotate(n=Count("id_number", distinct=True), first=Min("at"), last=Max("at"))
                .filter(n__gt=limit).order_by("mask_key"))
    alerts = []
    for row in rows:
        key = row["mask_key"]
        masked = mask_identifier(key[:4] + "0" * 10 + key[4:], "person")
        alert, created = CreditCheckAlert.objects.get_or_create(
            user=actor, day=timezone.localdate(now), masked=masked,
            defaults={"unit_id": actor.unit_id, "distinct_count": row["n"], "first_at": row["first"],
                      "last_at": row["last"], "raised_at": now})
        if not created and row["n"] > alert.distinct_count:
            alert.distinct_count, alert.last_at = row["n"], row["last"]
            alert.reviewed_at, alert.reviewed_by, alert.review_note = None, None, ""
            alert.save(update_fields=["distinct_count", "last_at", "reviewed_at", "reviewed_by", "review_note"])
        if created or alert.reviewed_at is None:
            log.warning("credit check alert %s: user %s checked %s IDs of the form %s today", alert.pk, actor.pk,
                        row["n"], masked)
        alerts.append(alert)
    return alerts


def may_review_check_alerts(user) -> bool:
    """The conference office looks at the alerts (and a superuser)."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, Role.OFFICE)))


@transaction.atomic
def credit_check_alert_review(*, actor, alert: CreditCheckAlert, note: str = "") -> CreditCheckAlert:
    """The office has looked at an alert (and, in ``note``, what it found or did)."""
    if not may_review_check_alerts(actor):
        raise PermissionDenied(_("Only the conference office reviews check alerts."))
    alert = CreditCheckAlert.objects.select_for_update(of=("self",), no_key=True).get(pk=alert.pk)
    alert.reviewed_at, alert.reviewed_by = timezone.now(), actor
    alert.review_note = strip_controls(note or "").strip()[:500]
    alert.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return alert


# ---------------------------------------------------------------- quotas

class CheckQuotaExceeded(ValidationError):
    """Checks that would go over the user's per-minute or the unit's daily check quota."""


def _minute_throttle(actor):
    """(throttle, cache key, the user's checks within the minute, now) of the ``credit_check`` rate, or
    None when there is no such rate."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rate = api_settings.DEFAULT_THROTTLE_RATES.get("credit_check")
    if not rate:
        return None
    throttle = ScopedRateThrottle()
    throttle.scope = "credit_check"
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    key = throttle.cache_format % {"scope": "credit_check", "ident": actor.pk}
    now = throttle.timer()
    history = [t for t in throttle.cache.get(key, []) if t > now - throttle.duration]
    return throttle, key, history, now


def checks_left_this_minute(actor) -> int | None:
    """How many checks the user may still make this minute (None: no limit): the page refuses a file
    before reading it when none is left."""
    state = _minute_throttle(actor)
    if state is None:
        return None
    throttle, _key, history, _now = state
    return max(throttle.num_requests - len(history), 0)


def _charge_minute(actor, rows: int) -> None:
    """Count ``rows`` checks against the user's ``credit_check`` rate, in the very history DRF's
    throttle keeps (``CreditCheckThrottle``), so that single checks and bulk rows share one budget."""
    state = _minute_throttle(actor)
    if state is None:
        return
    throttle, key, history, now = state
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
    _lock_unit(actor)
    done = CreditCheck.objects.filter(unit_id=actor.unit_id, channel=CreditCheckChannel.BULK,
                                      at__gte=_day_start()).count()
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
    value counts as a check (quotas above) and each identifier is audited and watched for guessing. A
    constant number of queries."""
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
    _watch_guessing(actor, [v for v in normalised if v], now)
    return [("", None) if v is None else ("invalid", None) if v == "" else
            ("listed", found[v]) if v in found else ("not_listed", None) for v in normalised]


def credit_check_many(*, actor, values, reason, batch: str = "") -> list[str]:
    """``credit_check_rows`` without the entries: a result code per value."""
    return [code for code, _entry in credit_check_rows(actor=actor, values=values, reason=reason, batch=batch)]


# ---------------------------------------------------------------- bulk files (CSV, Excel)

IDENTIFIER_HEADERS = {"id_number", "id", "identifier", "credit_code", "uscc", "证件号码", "证件号", "身份证号",
                      "身份证号码", "统一社会信用代码", "信用代码", "身份证号/统一社会信用代码"}


UploadRefused = spreadsheets.UploadRefused  # a bulk file refused for its size or shape (HTTP 400)
# A bulk file is read no further than a list of BULK_MAX_ROWS rows goes (``linkage.spreadsheets``).
BULK_BOUNDS = spreadsheets.Bounds(
    max_bytes=BULK_MAX_BYTES, max_rows=BULK_MAX_ROWS, max_columns=BULK_MAX_COLUMNS,
    max_cell_chars=BULK_MAX_CELL_CHARS, max_members=XLSX_MAX_MEMBERS, max_unpacked=XLSX_MAX_UNPACKED,
    max_cell_elements=XLSX_MAX_CELL_ELEMENTS, max_other_elements=XLSX_MAX_OTHER_ELEMENTS)


def _too_many_rows():
    spreadsheets.too_many_rows(BULK_BOUNDS)


def _result_labels() -> dict:
    return {"listed": _("Listed as a dishonest debtor"), "not_listed": _("Not listed"),
            "invalid": _("Not a valid resident ID number or credit code"), "": ""}


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


def _result_headers() -> list[str]:
    return [_("Dishonest-list check"), _("Listed name"), _("Case number"), _("Court"),
            _("Listed ID number or credit code (masked)")]


def _check_rows(*, actor, rows, reason, batch) -> tuple[int, bool, list[list[str]]]:
    """Per body row, the cells to append: the result and, for a listed identifier, the public fields of
    its entry (name, case number, court, masked identifier), never any other identifier."""
    if len(rows) > BULK_MAX_ROWS + 1:
        _too_many_rows()
    column, has_header = _find_column(rows)
    body = rows[1:] if has_header else rows
    results = credit_check_rows(actor=actor, values=[r[column] if column < len(r) else "" for r in body],
                                reason=reason, batch=batch)
    labels = _result_labels()
    return column, has_header, [
        [labels[code], entry.name, entry.case.number, entry.court, entry.masked_id] if entry is not None
        else [labels[code]] for code, entry in results]


def _xlsx_result(name, data, *, actor, reason) -> tuple[bytes, str, str]:
    sheets, index = spreadsheets.read_xlsx(data, BULK_BOUNDS)
    title, raw = sheets[index]
    raw, width = spreadsheets.trimmed(raw)
    rows = [[spreadsheets.cell_text(v) for v in row] for row in raw]
    _column, has_header, results = _check_rows(actor=actor, rows=rows, reason=reason, batch=name)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for i, (sheet_title, sheet_rows) in enumerate(sheets):
        sheet = book.create_sheet(sheet_title)
        if i != index:
            for row in spreadsheets.trimmed(sheet_rows)[0]:
                sheet.append(safe_row(row))
            continue
        body = raw
        if has_header:
            sheet.append(safe_row([*raw[0], *[None] * (width - len(raw[0])), *_result_headers()]))
            body = raw[1:]
        for row, cells in zip(body, results, strict=True):
            sheet.append(safe_row([*row, *[None] * (width - len(row)), *cells]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _result_name(name, ".xlsx")


def bulk_check_file(*, actor, upload, reason) -> tuple[bytes, str, str]:
    """Check every row of an uploaded CSV or Excel (.xlsx) list; return the same rows with a result
    column added (and, for a listed row, the entry's public fields): (content, content type, file name).
    Every row counts as a check and is audited; a file over the quotas is refused whole
    (``CheckQuotaExceeded``). The file is read no further than a list's bounds (``UploadRefused``: its
    size before it is read, then rows, columns, cells as they come); every cell written back goes through
    ``linkage.text.safe_cell``, so that no value comes back as a live formula."""
    _require_checker(actor)
    name = (getattr(upload, "name", "") or "list").rsplit("/", 1)[-1]
    data = spreadsheets.read_upload_bytes(upload, BULK_BOUNDS, _("The file is larger than 5 MB."))
    if spreadsheets.is_xlsx(name, data):
        return _xlsx_result(name, data, actor=actor, reason=reason)
    if not name.lower().endswith((".csv", ".txt")):
        spreadsheets.refuse(_("Upload a CSV file or an Excel (.xlsx) file."))
    text, encoding = spreadsheets.decode(data)
    rows = spreadsheets.read_csv(text, BULK_BOUNDS)
    _column, has_header, results = _check_rows(actor=actor, rows=rows, reason=reason, batch=name)
    out = io.StringIO(newline="")
    writer = csv.writer(out, csv.excel, lineterminator="\r\n")
    body_start = 0
    if has_header:
        writer.writerow(safe_row([*rows[0], *_result_headers()]))
        body_start = 1
    for row, cells in zip(rows[body_start:], results, strict=True):
        writer.writerow(safe_row([*row, *cells]))
    return out.getvalue().encode(encoding), "text/csv; charset=utf-8", _result_name(name, ".csv")


def _result_name(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}-checked{ext}"
