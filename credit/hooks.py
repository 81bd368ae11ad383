"""What ``credit`` plugs into ``cases`` (``cases.hooks``): the conclusion and the case-page panel."""
from django.template.loader import render_to_string


def on_case_concluded(sender, *, case, outcome, actor, **kwargs):
    """失信规定 Art. 10 and 限高规定 Art. 9: a case completed or terminated deletes its list entries and
    lifts its consumption restriction orders, by itself. 终本 keeps both."""
    from django.db import transaction

    from .restrictions import restrictions_lift_on_conclusion
    from .services import credit_entries_remove_on_conclusion

    with transaction.atomic():
        credit_entries_remove_on_conclusion(actor=actor, case=case, outcome=outcome)
        restrictions_lift_on_conclusion(actor=actor, case=case, outcome=outcome)


def case_panel(request, case) -> str:
    from members.roles import is_court_user

    from . import selectors

    if not is_court_user(request.user):
        return ""
    entries = list(selectors.credit_entries_for_case(request.user, case))
    orders = list(selectors.restrictions_for_case(request.user, case))
    return render_to_string("credit/case_panel.html", {
        "case": case, "credit_entries": entries, "orders": orders,
        "propose_revoking": selectors.entries_to_propose_revoking(case, entries),
        "can_list_debtor": case.is_open and request.user.has_perm("credit.add_creditentry"),
        "can_restrict": case.is_open and request.user.has_perm("credit.add_consumptionrestriction"),
    }, request=request)


def connect():
    from cases.hooks import case_concluded, register_case_panel

    case_concluded.connect(on_case_concluded, dispatch_uid="credit.on_case_concluded")
    register_case_panel(case_panel)
    from .documents import register_document_kind

    register_document_kind()
    from django.db.models.signals import post_save

    from members.models import Unit

    post_save.connect(on_unit_saved, sender=Unit, dispatch_uid="credit.restriction_units")


def on_unit_saved(sender, instance, created, **kwargs):
    """A new natres, insurer or finance unit applies consumption restriction orders by default."""
    if created:
        from .restrictions import seed_restriction_units

        seed_restriction_units([instance])
