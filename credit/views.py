"""Browser pages of the dishonest-debtor list: the clerk's list and entry pages, a unit's pushes, the
check (one identifier or a CSV/Excel file), and the public page. Views parse input, call ``credit.services``
and render; identifiers are masked on every page."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from rest_framework.exceptions import Throttled

from cases import selectors as case_selectors
from cases.models import PartyRole
from linkage import ratelimit
from linkage.forms import CleanTextMixin, apply_service_errors
from linkage.pagination import keyset_page
from linkage.statemachine import InvalidTransition
from linkage.text import strip_controls
from linkage.workbudget import WorkRefused, refused_response, work_budget
from members.roles import is_court_user
from members.scoping import get_visible_or_404

from . import decisions, restrictions, rules, selectors
from . import services as credit
from .api import CreditCheckThrottle
from .forms import CreditPersonFormSet, RestrictedPersonFormSet, persons_formset
from .forms import apply_errors as apply_person_errors
from .models import (
    CreditGround,
    CreditStatus,
    DecisionKind,
    DecisionStatus,
    LiftGround,
    RestrictedAct,
    RestrictionStatus,
    RevokeGround,
    ServiceWay,
)
from .workflow import CREDIT_MACHINE

PAGE_SIZE = 50


class CreditEntryForm(CleanTextMixin, forms.Form):
    party = forms.ModelChoiceField(label=gettext_lazy("Judgment debtor"), queryset=None, empty_label=None)
    ground = forms.ChoiceField(label=gettext_lazy("Legal ground"), choices=CreditGround.choices)
    obligation = forms.CharField(label=gettext_lazy("Obligation not performed (blank: the amount owed)"),
                                 required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    # The persons (organisation only) are the rows of ``credit.forms.CreditPersonFormSet``.

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.filter(role=PartyRole.DEBTOR)
        self.fields["party"].label_from_instance = lambda p: f"{p.name}（{p.masked_id}）"


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)


class CheckForm(CleanTextMixin, forms.Form):
    id_number = forms.CharField(label=gettext_lazy("Resident ID number or credit code"), max_length=40)
    reason = forms.CharField(label=gettext_lazy("Why you check (recorded)"), max_length=200)
    # Issue 29: a single check is for a piece of the unit's work, checked by the service (check_purpose).
    purpose = forms.CharField(
        label=gettext_lazy("For the case or notice (its number, recorded)"), max_length=80,
        help_text=gettext_lazy("The number of a notice addressed to your unit, or of its case, e.g. "
                               "（2026）鄂1022执123号-001."),
        widget=forms.TextInput(attrs={"list": "check-purposes", "autocomplete": "off",
                                      "aria-describedby": "id_purpose-help"}))


class BulkCheckForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("List (CSV or Excel .xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    reason = forms.CharField(label=gettext_lazy("Why you check (recorded)"), max_length=200)


def _require_court(user):
    if not is_court_user(user):
        raise Http404


def _throttle(request) -> None:
    """The API's per-user check rate (scope ``credit_check``) applies in the browser too."""

    class _View:
        throttle_scope = "credit_check"

    throttle = CreditCheckThrottle()
    if not throttle.allow_request(request, _View()):
        raise Throttled(wait=throttle.wait())


def _too_many(request, template, context):
    messages.error(request, _("Too many checks in a short time; wait a minute and try again."))
    return render(request, template, context, status=429)


def _upload_allowed(request) -> bool:
    """A bulk file costs work to read whether it is accepted or not: at most so many uploads a minute per
    user and per client address (``linkage.ratelimit``, the shared cache), and none when the user has no
    check left in the minute (the API's ``credit_check`` rate, which every row of a file is charged to)."""
    rates = credit.bulk_upload_rates()
    per_user = ratelimit.hit("credit_bulk_upload", request.user.pk, rates["user"])
    per_address = ratelimit.hit("credit_bulk_upload_address", ratelimit.client_ip(request), rates["address"])
    left = credit.checks_left_this_minute(request.user)
    return per_user and per_address and left != 0


@require_safe
@login_required
def entry_list(request):
    _require_court(request.user)
    filters = {k: request.GET.get(k, "") for k in ("q", "status")}
    qs = selectors.credit_entries_for_list(request.user, **filters)
    rows, next_after = keyset_page(qs, request, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "credit/entry_list.html", {
        "entries": rows, "next_after": next_after, "filters": filters, "query": query.urlencode(),
        "statuses": CreditStatus.choices, "can_check": credit.can_check(request.user),
    })


@login_required
def entry_create(request, case_pk):
    case = get_visible_or_404(case_selectors.cases_visible_to(request.user), pk=case_pk)
    if not request.user.has_perm("credit.add_creditentry"):
        raise PermissionDenied
    form = CreditEntryForm(request.POST or None, case=case)
    persons = persons_formset(CreditPersonFormSet, request)
    if request.method == "POST" and form.is_valid() & persons.is_valid():  # both, for every error at once
        data = form.cleaned_data
        try:
            entry = credit.credit_entry_create(actor=request.user, case=case, party=data["party"],
                                               ground=data["ground"], obligation=data["obligation"],
                                               decided_on=data["decided_on"], persons=persons.rows())
        except ValidationError as exc:
            apply_person_errors(form, persons, exc)
        else:
            messages.success(request, _("%(name)s put on the list, pending publication.") % {"name": entry.name})
            return redirect("credit:detail", pk=entry.pk)
    return render(request, "credit/entry_form.html", {
        "case": case, "form": form, "persons": persons,
        "entries": selectors.credit_entries_for_case(request.user, case)})


@require_safe
@login_required
def entry_detail(request, pk):
    entry = get_visible_or_404(selectors.credit_entry_for_detail(request.user), pk=pk)
    # propose, decide and return have their own forms and pages (the president's decision page)
    allowed = [name for name in CREDIT_MACHINE.allowed(entry.status) if name in credit.PERMISSION_OF and name != "delete"
               if request.user.has_perm(f"credit.{credit.PERMISSION_OF[name]}_creditentry")]
    return render(request, "credit/entry_detail.html", {
        "entry": entry, "allowed": allowed, "reason_form": ReasonForm(), "revoke_grounds": RevokeGround.choices,
        "can_propose": entry.status == CreditStatus.PENDING and request.user.has_perm("credit.add_creditentry"),
        "propose_form": ProposeForm(initial={"ground": entry.ground, "facts": entry.obligation,
                                             "period_years": None if entry.ground == "able_refuses" else 2}),
    })


class ProposeForm(CleanTextMixin, forms.Form):
    ground = forms.ChoiceField(label=gettext_lazy("Legal ground (失信规定 Art. 1)"), choices=CreditGround.choices)
    period_years = forms.TypedChoiceField(
        label=gettext_lazy("Listing period (Art. 2)"), coerce=int, empty_value=None, required=False,
        choices=[("", gettext_lazy("No fixed term (ground 1)")), (2, gettext_lazy("Two years")),
                 (3, gettext_lazy("Three years (serious case)")), (4, gettext_lazy("Four years (serious case)")),
                 (5, gettext_lazy("Five years (serious case)"))])
    facts = forms.CharField(label=gettext_lazy("Facts and reasons"), max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    warning = forms.CharField(label=gettext_lazy("The execution notice that warned the debtor (number, date)"),
                              max_length=200, required=False)


class ServiceForm(CleanTextMixin, forms.Form):
    way = forms.ChoiceField(label=gettext_lazy("Served by"), choices=ServiceWay.choices)
    served_on = forms.DateField(label=gettext_lazy("Served on"), widget=forms.DateInput(attrs={"type": "date"}))
    proof = forms.FileField(label=gettext_lazy("Proof of service (PDF, optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class DecideForm(CleanTextMixin, forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("I have read the facts and the draft, and I sign this decision"),
                                 error_messages={"required": gettext_lazy("Tick the box to sign.")})
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)


class ReturnForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it goes back to the clerk"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_POST
def entry_propose(request, pk):
    entry = get_visible_or_404(selectors.credit_entries_visible_to(request.user), pk=pk)
    if not request.user.has_perm("credit.add_creditentry"):
        raise PermissionDenied
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            decisions.credit_entry_propose(actor=request.user, entry=entry, **form.cleaned_data)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Listing proposed to the president, who decides it (失信规定 Art. 5)."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("credit:detail", pk=entry.pk)


@login_required
@require_safe
def decision_list(request):
    """What waits for the president (and what the clerk proposed): decisions, then orders to sign."""
    _require_court(request.user)
    status = request.GET.get("status", "proposed")
    qs = selectors.decisions_visible_to(request.user)
    if status in DecisionStatus.values:
        qs = qs.filter(status=status)
    rows, next_after = keyset_page(qs, request, PAGE_SIZE)
    return render(request, "credit/decision_list.html", {
        "decisions": rows, "next_after": next_after, "status": status, "statuses": DecisionStatus.choices,
        "orders": list(selectors.restrictions_for_list(request.user, status="draft")[:50])})


@login_required
def decision_detail(request, pk):
    """The president's page: the case's facts, the debtor, the grounds, the draft 决定书, and sign or return
    (with what signing sets off)."""
    decision = get_visible_or_404(selectors.decisions_visible_to(request.user), pk=pk)
    decide_form, return_form = DecideForm(), ReturnForm()
    service_form = ServiceForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "decide":
                if not request.user.has_perm("credit.decide_decision"):
                    raise PermissionDenied
                decide_form = DecideForm(request.POST)
                if decide_form.is_valid():
                    decisions.decision_decide(actor=request.user, decision=decision,
                                              note=decide_form.cleaned_data["note"])
                    messages.success(request, _("Signed: %(kind)s, %(number)s. It takes effect today.") % {
                        "kind": decision.get_kind_display(),
                        "number": type(decision).objects.get(pk=decision.pk).document.ruling_number})
                    return redirect("credit:decision", pk=decision.pk)
            elif action == "return":
                if not request.user.has_perm("credit.decide_decision"):
                    raise PermissionDenied
                return_form = ReturnForm(request.POST)
                if return_form.is_valid():
                    decisions.decision_return(actor=request.user, decision=decision, **return_form.cleaned_data)
                    messages.success(request, _("Returned to the clerk with your reason."))
                    return redirect("credit:decisions")
            elif action == "service":
                if not request.user.has_perm("credit.add_creditentry"):
                    raise PermissionDenied
                service_form = ServiceForm(request.POST, request.FILES)
                if service_form.is_valid():
                    decisions.decision_service(actor=request.user, decision=decision, **service_form.cleaned_data)
                    messages.success(request, _("Service recorded."))
                    return redirect("credit:decision", pk=decision.pk)
            else:
                raise Http404
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            form = {"decide": decide_form, "return": return_form, "service": service_form}[action]
            apply_service_errors(form, exc)
    decision = get_visible_or_404(selectors.decisions_visible_to(request.user), pk=pk)
    preview = decision.document.facts if decision.document_id else decisions.decision_facts(decision, request.user)
    return render(request, "credit/decision_detail.html", {
        "decision": decision, "case": decision.case, "preview": preview,
        "money": case_selectors.case_money(decision.case),
        "debtor": decision.entry or decision.order, "sets_off": _sets_off(decision),
        "can_decide": decision.status == DecisionStatus.PROPOSED and request.user.has_perm("credit.decide_decision"),
        "can_serve": (decision.status == DecisionStatus.DECIDED and not decision.served_on
                      and request.user.has_perm("credit.add_creditentry")),
        "decide_form": decide_form, "return_form": return_form, "service_form": service_form,
    })


def _sets_off(decision) -> list[str]:
    """What signing does, said before the president signs."""
    kind = decision.kind
    if kind == DecisionKind.LISTING:
        return [_("The decision takes effect today (失信规定 Art. 5); it is numbered after the case's rulings and "
                  "sealed."),
                _("A consumption restriction order on the same debtor is drafted for your signature "
                  "(限高规定 Art. 1 para. 2)."),
                _("The clerk serves the decision on the debtor and publishes the entry: the public page shows it and "
                  "every unit that applies joint punishment is told.")]
    if kind == DecisionKind.EARLY_DELETION:
        return [_("The entry is deleted today and every unit that applied it is told to withdraw it.")]
    if kind == DecisionKind.CORRECTION:
        return [_("The wrong listing is revoked today and every unit that applied it is told to withdraw it.")]
    if kind == DecisionKind.RESTRICTION_LIFT:
        return [_("The order is lifted today: the lifting order (解除限制消费令) goes with a release to every unit "
                  "the order went to.")]
    return [_("The permission is recorded on the order the units read, for the dates it states.")]


@login_required
@require_POST
def entry_transition(request, pk, name):
    entry = get_visible_or_404(selectors.credit_entries_visible_to(request.user), pk=pk)
    service = credit.CREDIT_SERVICES.get(name)
    if service is None:
        raise Http404
    try:
        extra = {"ground": request.POST.get("ground", "")} if name == "revoke" else {}
        service(actor=request.user, entry=entry, reason=strip_controls(request.POST.get("reason", "")), **extra)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, {
            "publish": _("Entry published; the units that apply joint punishment are being told."),
            "shield": _("Entry shielded; the units are told to withdraw it."),
            "revoke": _("Entry taken off the list; the units are told to withdraw it."),
            "republish": _("Entry published again; the units are told."),
        }[name])
    return redirect("credit:detail", pk=entry.pk)


@require_safe
@login_required
def pushes(request):
    """The pushes a unit must apply and the withdrawals it must confirm; scoped to the user's unit."""
    open_only = request.GET.get("tab", "open") == "open"
    qs = selectors.pushes_for_unit(request.user, open_only=open_only)
    rows, next_after = keyset_page(qs, request, PAGE_SIZE)
    return render(request, "credit/pushes.html", {
        "pushes": rows, "next_after": next_after, "open_only": open_only})


@login_required
def check(request):
    """One identifier (for a case or notice of the unit), or a whole CSV/Excel list returned with a result
    column."""
    if not credit.can_check(request.user):
        raise PermissionDenied
    form = CheckForm(request.POST if "id_number" in request.POST else None)
    bulk = BulkCheckForm(request.POST if "file" in request.FILES else None, request.FILES or None)
    context = {"form": form, "bulk": bulk, "result": None,
               "purposes": selectors.check_purpose_suggestions(request.user)}
    if request.method != "POST":
        return render(request, "credit/check.html", context)
    try:
        if not bulk.is_bound:  # a file is charged per row, by the service
            _throttle(request)
    except Throttled:
        return _too_many(request, "credit/check.html", context)
    if bulk.is_bound:
        if not _upload_allowed(request):
            return _too_many(request, "credit/check.html", context)
        try:  # reading a file is the expensive part: the client's CPU budget, one such request at a time
            with work_budget(request, "credit_bulk"):
                return _bulk_check(request, bulk, context)
        except WorkRefused as refused:
            return refused_response(request, refused)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            context["result"] = credit.credit_check(actor=request.user, channel="browser", **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if isinstance(exc, credit.CheckQuotaExceeded):
                status = 429
        else:  # the identifier is not echoed back: the answer shows it masked
            context["form"] = CheckForm(initial={"reason": form.cleaned_data["reason"],
                                                 "purpose": form.cleaned_data["purpose"]})
    return render(request, "credit/check.html", context, status=status)


class AlertReviewForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("What you found or did (optional)"), required=False, max_length=500)


def _require_alert_reviewer(user):
    if not credit.may_review_check_alerts(user):
        raise PermissionDenied


@require_safe
@login_required
def check_alerts(request):
    """The office's page of likely guessing (issue 29): accounts that checked more than
    ``CREDIT_GUESS_ALERT_DISTINCT`` distinct resident IDs of one masked form in a day, each with its
    checks (identifiers masked: the pattern is the point), to look at and mark as reviewed."""
    _require_alert_reviewer(request.user)
    status = request.GET.get("status", "open")
    status = status if status in ("open", "reviewed", "all") else "open"
    rows, next_after = keyset_page(selectors.check_alerts_for_page(status), request, PAGE_SIZE)
    checks = selectors.checks_of_alerts(rows)
    return render(request, "credit/check_alerts.html", {
        "alerts": [(alert, checks.get(alert.pk, [])) for alert in rows], "next_after": next_after,
        "status": status, "review_form": AlertReviewForm(), "threshold": credit.guess_alert_distinct()})


@require_POST
@login_required
def check_alert_review(request, pk):
    _require_alert_reviewer(request.user)
    alert = get_visible_or_404(selectors.check_alerts_for_page("all"), pk=pk)
    form = AlertReviewForm(request.POST)
    if form.is_valid():
        credit.credit_check_alert_review(actor=request.user, alert=alert, note=form.cleaned_data["note"])
        messages.success(request, _("Alert marked as reviewed."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('credit:check-alerts')}?status=open")


def _bulk_check(request, bulk, context):
    """The file's answer, or the page again with why it was refused: 400 for a file refused for its size
    or shape, 429 over a quota."""
    status = 200
    if bulk.is_valid():
        try:
            content, content_type, filename = credit.bulk_check_file(
                actor=request.user, upload=bulk.cleaned_data["file"], reason=bulk.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(bulk, exc)
            status = (429 if isinstance(exc, credit.CheckQuotaExceeded) else
                      400 if isinstance(exc, credit.UploadRefused) else 200)
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
            return response
    return render(request, "credit/check.html", context, status=status)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@require_safe
@ratelimit.per_client("public_dishonest")
def public_dishonest(request):
    """The public exposure page (Art. 12, 13): no login, published entries only, identifiers masked,
    searched by name (two characters at least) or the latest page; no per-entry address."""
    q = (request.GET.get("q") or "").strip()[:60]
    too_short = 0 < len(q) < selectors.PUBLIC_MIN_QUERY
    return render(request, "credit/public.html", {
        "entries": list(selectors.public_entries("" if too_short else q)), "q": q, "too_short": too_short,
        "orders": list(selectors.public_restrictions("" if too_short else q)),
        "min_query": selectors.PUBLIC_MIN_QUERY,
    })


# ---------------------------------------------------------------- consumption restriction orders

class RestrictionForm(CleanTextMixin, forms.Form):
    party = forms.ModelChoiceField(label=gettext_lazy("Judgment debtor"), queryset=None, empty_label=None)
    acts = forms.MultipleChoiceField(label=gettext_lazy("Restricted acts"), choices=RestrictedAct.choices,
                                     initial=RestrictedAct.values, widget=forms.CheckboxSelectMultiple)
    basis = forms.CharField(label=gettext_lazy("Facts and reasons"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    grace_months = forms.IntegerField(label=gettext_lazy("Grace period (months, 0-3)"), min_value=0, max_value=3,
                                      initial=0, required=False)
    # The persons (organisation only) are the rows of ``credit.forms.RestrictedPersonFormSet``.

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.filter(role=PartyRole.DEBTOR)
        self.fields["party"].label_from_instance = lambda p: f"{p.name}（{p.masked_id}）"


@require_safe
@login_required
def restriction_list(request):
    qs = selectors.restrictions_for_list(request.user, status=request.GET.get("status", ""))
    rows, next_after = keyset_page(qs, request, PAGE_SIZE)
    return render(request, "credit/restriction_list.html", {
        "orders": rows, "next_after": next_after, "statuses": RestrictionStatus.choices,
        "can_export": bool(request.user.unit_id) and not is_court_user(request.user)})


@login_required
def restriction_create(request, case_pk):
    case = get_visible_or_404(case_selectors.cases_visible_to(request.user), pk=case_pk)
    if not request.user.has_perm("credit.add_consumptionrestriction"):
        raise PermissionDenied
    form = RestrictionForm(request.POST or None, case=case)
    persons = persons_formset(RestrictedPersonFormSet, request)
    if request.method == "POST" and form.is_valid() & persons.is_valid():  # both, for every error at once
        data = form.cleaned_data
        try:
            order = restrictions.restriction_draft(actor=request.user, case=case, party=data["party"],
                                                   acts=data["acts"], basis=data["basis"],
                                                   grace_months=data["grace_months"] or 0, persons=persons.rows())
        except ValidationError as exc:
            apply_person_errors(form, persons, exc)
        else:
            messages.success(request, _("Order drafted; the president signs it."))
            return redirect("credit:restriction-detail", pk=order.pk)
    return render(request, "credit/restriction_form.html", {"case": case, "form": form, "persons": persons})


@require_safe
@login_required
def restriction_detail(request, pk):
    order = get_visible_or_404(selectors.restriction_for_detail(request.user), pk=pk)
    user = request.user
    return render(request, "credit/restriction_detail.html", {
        "order": order, "money": case_selectors.case_money(order.case),
        "age": rules.age_on(order.id_number, timezone.localdate()) if order.kind == "person" else None,
        "can_resubmit": order.status == RestrictionStatus.RETURNED and user.has_perm("credit.add_consumptionrestriction"),
        "can_serve": (order.status == RestrictionStatus.ISSUED and not order.served_on
                      and user.has_perm("credit.add_consumptionrestriction")),
        "service_form": ServiceForm(), "decide_form": DecideForm(), "return_form": ReturnForm(),
        "can_sign": order.status == RestrictionStatus.DRAFT and user.has_perm("credit.sign_consumptionrestriction"),
        "can_issue": order.status == RestrictionStatus.SIGNED and user.has_perm("credit.add_consumptionrestriction"),
        "can_lift": order.status == RestrictionStatus.ISSUED and user.has_perm("credit.lift_consumptionrestriction"),
        "lift_grounds": [(g, LiftGround(g).label) for g in restrictions.CLERK_LIFT_GROUNDS],
        "acts": RestrictedAct.choices,
    })


@login_required
@require_POST
def restriction_transition(request, pk, name):
    order = get_visible_or_404(selectors.restrictions_visible_to(request.user), pk=pk)
    post = request.POST
    user = request.user
    done = {
        "sign": _("Signed: the order takes effect; the clerk issues it to the units."),
        "return": _("Returned to the clerk with your reason."),
        "resubmit": _("Submitted to the president again."),
        "issue": _("Issued: each unit that applies it has its notice."),
        "service": _("Service recorded."),
        "lift": (_("Lifted: the lifting order and a release went to every unit.") if user.has_perm("credit.decide_decision")
                 else _("Lifting proposed: the president decides it.")),
        "permit": (_("Permission granted and recorded on the order.") if user.has_perm("credit.decide_decision")
                   else _("Permission proposed: the president decides it.")),
    }
    try:
        if name == "sign":
            if not DecideForm(post).is_valid():
                raise ValidationError(_("Tick the box to sign."))
            restrictions.restriction_sign(actor=request.user, order=order)
        elif name == "return":
            decisions.restriction_return(actor=request.user, order=order, reason=strip_controls(post.get("reason", "")))
        elif name == "resubmit":
            decisions.restriction_resubmit(actor=request.user, order=order, basis=strip_controls(post.get("basis", "")))
        elif name == "service":
            form = ServiceForm(post, request.FILES)
            if not form.is_valid():
                raise ValidationError("; ".join(e for errors in form.errors.values() for e in errors))
            decisions.restriction_service(actor=request.user, order=order, **form.cleaned_data)
        elif name == "issue":
            restrictions.restriction_issue(actor=request.user, order=order)
        elif name == "lift":
            decisions.restriction_lift(actor=request.user, order=order, ground=post.get("ground", ""),
                                          reason=strip_controls(post.get("reason", "")))
        elif name == "permit":
            from datetime import date

            def day(key):
                try:
                    return date.fromisoformat(post.get(key, ""))
                except ValueError:
                    return None

            decisions.restriction_permit(actor=request.user, order=order, acts=post.getlist("acts"),
                                            starts_on=day("starts_on"), ends_on=day("ends_on"),
                                            reason=strip_controls(post.get("reason", "")))
        else:
            raise Http404
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, done[name])
    return redirect("credit:restriction-detail", pk=order.pk)


@require_safe
@login_required
def restriction_pdf(request, pk):
    """The order as a PDF in the court's style (限制消费令), identifiers masked but for the units it went to."""
    order = get_visible_or_404(selectors.restriction_for_detail(request.user), pk=pk)
    from .documents import render_restriction_pdf

    stored = order.document if order.document_id and order.document.status == "stored" else None
    content = stored.file.open("rb").read() if stored is not None else render_restriction_pdf(order, request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote('限制消费令-' + str(order.pk) + '.pdf')}"
    return response


@require_safe
@login_required
def restriction_export(request):
    """The active orders pushed to the user's unit, as Excel (identifiers masked), in the shape of every
    export (``linkage.excel``: title, header with a filter, borders, landscape fitted to the page)."""
    from linkage.excel import export_title, workbook_response

    if not request.user.unit_id or is_court_user(request.user):
        raise Http404
    headers = [_("Case number"), _("Name"), _("ID number / credit code"), _("Restricted persons"),
               _("Restricted acts"), _("Issued"), _("One-off permissions")]
    body = [[order.case.number, order.name, order.masked_id,
             "；".join(f"{p.get_role_display()} {p.name} {p.masked_id}" for p in order.persons.all()),
             "；".join(order.act_labels()), order.issued_at,
             "；".join(f"{p.starts_on}–{p.ends_on}" for p in order.permissions.all())]
            for order in selectors.active_restrictions_for_unit(request.user.unit)]
    return workbook_response(export_title(_("Consumption restriction orders")), headers, body, "限制消费令.xlsx",
                             ["text", "text", "text", "text", "text", "date", "text"], fallback="restrictions.xlsx")
