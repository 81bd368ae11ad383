"""The supervising court's view and its 督办 orders (issue 30): the intermediate court's 执行指挥中心
watches the courts below it (``members.courts.court_ids``) and orders a court to act on a case by a day;
the court's clerk replies. Figures in one grouped query each, whatever the number of courts."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.dates import local_today, parse_day
from linkage.statemachine import InvalidTransition, lock
from members.courts import court_ids, same_court
from members.models import Court
from members.roles import Role, has_role

from .entrustment_models import Entrustment, EntrustmentStatus
from .lifecycle import CaseOutcome
from .measure_models import Measure, MeasureStatus
from .models import Case, Notice, ack_overdue_q, answer_overdue_q
from .selectors import OPEN_WORK
from .supervision_models import SupervisionOrder, SupervisionStatus

LAPSE_DAYS = 30  # "measures about to lapse": within this many days


def is_supervisor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.SUPERVISOR))


def supervised_courts(user) -> list[Court]:
    """The courts below the user's (for a superuser every court that has a supervising court)."""
    ids = court_ids(user)
    qs = Court.objects.filter(parent__isnull=False)
    if ids is not None:
        qs = qs.filter(pk__in=ids).exclude(pk=user.court_id)
    return list(qs.order_by("code"))


def court_figures(courts, now=None) -> list[dict]:
    """Per court: open cases, overdue notices, measures lapsing within 30 days, 终本 searches due, tasks
    entrusted to it without a start or a report in time, 督办 orders unanswered. Six grouped queries."""
    now = now or timezone.now()
    today = local_today()
    ids = [c.pk for c in courts]

    def by(qs, path):
        return dict(qs.order_by().values_list(path).annotate(n=Count("id")).values_list(path, "n"))

    open_cases = by(Case.objects.filter(court_id__in=ids, status="open"), "court_id")
    overdue = by(Notice.objects.filter(Q(ack_overdue_q(now)) | Q(answer_overdue_q(now)), status__in=OPEN_WORK,
                                       unit__court_id__in=ids), "unit__court_id")
    lapsing = by(Measure.objects.filter(status=MeasureStatus.ACTIVE, unit__court_id__in=ids,
                                        expires_on__gte=today, expires_on__lte=today + timedelta(days=LAPSE_DAYS)),
                 "unit__court_id")
    aftercare = by(Case.objects.filter(court_id__in=ids, outcome=CaseOutcome.FINAL_NO_PROPERTY,
                                       next_search_on__lte=today), "court_id")
    late_tasks = by(Entrustment.objects.filter(court_id__in=ids).filter(
        Q(status=EntrustmentStatus.SENT, start_due_on__lt=today)
        | Q(status=EntrustmentStatus.ACCEPTED, reported_at__isnull=True, report_due_on__lt=today)), "court_id")
    orders = by(SupervisionOrder.objects.filter(case__court_id__in=ids, status=SupervisionStatus.OPEN),
                "case__court_id")
    return [{"court": c, "open_cases": open_cases.get(c.pk, 0), "overdue": overdue.get(c.pk, 0),
             "lapsing": lapsing.get(c.pk, 0), "aftercare": aftercare.get(c.pk, 0),
             "late_tasks": late_tasks.get(c.pk, 0), "orders": orders.get(c.pk, 0)} for c in courts]


def unit_ranking(courts, now=None, limit=20) -> list[dict]:
    """Units across the counties with the most overdue notices, and the same kind of unit city-wide (all
    county branches of one bank: ``members.courts.base_code``)."""
    from members.courts import base_code

    now = now or timezone.now()
    ids = [c.pk for c in courts]
    rows = list(Notice.objects.filter(status__in=OPEN_WORK, unit__court_id__in=ids).order_by()
                .values("unit__code", "unit__name", "unit__court__name")
                .annotate(open=Count("id"), overdue=Count("id", filter=Q(ack_overdue_q(now)) | Q(answer_overdue_q(now))))
                .order_by("-overdue", "-open", "unit__code"))
    kinds: dict[str, dict] = {}
    for r in rows:
        k = kinds.setdefault(base_code(r["unit__code"]), {"code": base_code(r["unit__code"]), "open": 0,
                                                           "overdue": 0, "counties": 0})
        k["open"] += r["open"]
        k["overdue"] += r["overdue"]
        k["counties"] += 1
    return rows[:limit], sorted(kinds.values(), key=lambda k: (-k["overdue"], -k["open"], k["code"]))


def orders_visible_to(user):
    """督办 orders: the supervising court's own, and those about its cases for a court's clerk."""
    ids = court_ids(user)
    qs = SupervisionOrder.objects.select_related("case", "court", "issued_by", "replied_by")
    if ids is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(Q(court_id__in=ids) | Q(case__court_id__in=ids))


@transaction.atomic
def order_issue(*, actor, case, text: str, reply_due_on) -> SupervisionOrder:
    if not (has_role(actor, Role.SUPERVISOR) and same_court(actor, case.court_id) and case.court_id != actor.court_id):
        raise PermissionDenied(_("Only the supervising court issues a 督办 order to a court below it."))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Say what the court is to do.")]
    try:
        due = parse_day(reply_due_on, "reply_due_on")
        if due < local_today():
            errors["reply_due_on"] = [_("The reply day cannot be in the past.")]
    except ValidationError as exc:
        errors["reply_due_on"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return SupervisionOrder.objects.create(case=case, court_id=actor.court_id, text=text, reply_due_on=due,
                                           issued_by=actor)


@transaction.atomic
def order_reply(*, actor, order: SupervisionOrder, reply: str) -> SupervisionOrder:
    if not (has_role(actor, Role.CLERK) and actor.court_id == order.case.court_id):
        raise PermissionDenied(_("The clerk of the case's court replies."))
    order = lock(order)
    if order.status != SupervisionStatus.OPEN:
        raise InvalidTransition(_("This 督办 order has been replied to already."))
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": [_("Say what was done.")]})
    order.status, order.reply, order.replied_by, order.replied_at = (SupervisionStatus.REPLIED, reply, actor,
                                                                     timezone.now())
    order.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    return order
