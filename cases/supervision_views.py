"""The supervising court's page (执行指挥中心) and 督办 orders: issued there, replied to by the court's clerk."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkage.forms import CleanTextMixin, apply_service_errors
from linkage.statemachine import InvalidTransition
from members.roles import Role, has_role, is_court_user
from members.scoping import get_visible_or_404

from . import selectors, supervision
from .identifiers import normalise_case_number_query


class OrderForm(CleanTextMixin, forms.Form):
    case_number = forms.CharField(label=gettext_lazy("Case number"), max_length=40)
    text = forms.CharField(label=gettext_lazy("What the court is to do"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    reply_due_on = forms.DateField(label=gettext_lazy("Reply by"),
                                   widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class ReplyForm(CleanTextMixin, forms.Form):
    reply = forms.CharField(label=gettext_lazy("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def overview(request):
    if not supervision.is_supervisor(request.user):
        raise Http404
    courts = supervision.supervised_courts(request.user)
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = normalise_case_number_query(form.cleaned_data["case_number"])
        case = selectors.cases_visible_to(request.user).filter(number=number).first()
        if case is None:
            form.add_error("case_number", _("No case %(number)s in the courts you supervise.") % {"number": number})
        else:
            try:
                supervision.order_issue(actor=request.user, case=case, text=form.cleaned_data["text"],
                                        reply_due_on=form.cleaned_data["reply_due_on"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("督办 order sent to %(court)s.") % {"court": case.court.name})
                return redirect("cases:supervision")
    units, kinds = supervision.unit_ranking(courts)
    return render(request, "cases/supervision.html", {
        "figures": supervision.court_figures(courts), "units": units, "kinds": kinds, "form": form,
        "orders": list(supervision.orders_visible_to(request.user)[:50])})


@login_required
def orders(request):
    """督办 orders about this court's cases, with a reply form for the clerk."""
    if not is_court_user(request.user):
        raise Http404
    if request.method == "POST":
        order = get_visible_or_404(supervision.orders_visible_to(request.user), pk=request.POST.get("order") or 0)
        form = ReplyForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Say what was done."))
            supervision.order_reply(actor=request.user, order=order, reply=form.cleaned_data["reply"])
        except PermissionDenied:
            raise
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Reply sent to the supervising court."))
        return redirect("cases:supervision-orders")
    can_reply = has_role(request.user, Role.CLERK)
    return render(request, "cases/supervision_orders.html", {
        "orders": list(supervision.orders_visible_to(request.user)[:200]), "can_reply": can_reply,
        "reply_form": ReplyForm()})
