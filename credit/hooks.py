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


def on_case_suspended(sender, *, case, suspension, actor, **kwargs):
    """失信规定 Art. 10(5): a case suspended for a retrial or bankruptcy deletes its debtors' entries."""
    from django.db import transaction

    from .services import credit_entries_remove_on_suspension

    with transaction.atomic():
        credit_entries_remove_on_suspension(actor=actor, case=case, suspension=suspension)


def on_property_searched(sender, *, case, search, actor, **kwargs):
    """失信规定 Art. 10(4): two searches after 终本 that found nothing, no lead given: deletion due."""
    from django.db import transaction

    from .services import credit_entries_note_no_property

    with transaction.atomic():
        credit_entries_note_no_property(actor=actor, case=case)


def final_conditions(case) -> list:
    """终本规定 Art. 1(2): a 限制消费令 issued to every debtor (the list is the clerk's to confirm where the
    conditions of listing are met: not every debtor who is restricted must be listed)."""
    from django.utils.translation import gettext as _

    from cases.selectors import Condition

    from .models import ConsumptionRestriction, CreditEntry, CreditStatus
    chain = case.chain_ids()
    debtors = [p for p in case.parties.all() if p.role == "debtor"]
    ordered = set(ConsumptionRestriction.objects.filter(case_id__in=chain, status__in=["issued", "lifted"])
                  .values_list("id_number", flat=True))
    missing = [p.name for p in debtors if p.id_number not in ordered]
    listed = set(CreditEntry.objects.filter(case_id__in=chain, status__in=[CreditStatus.PUBLISHED, CreditStatus.SHIELDED])
                 .values_list("id_number", flat=True))
    return [
        Condition("restriction_order", _("A consumption restriction order was issued to every debtor (Art. 1(2))"),
                  not missing, False,
                  _("No order issued to: %(names)s") % {"names": "、".join(missing)} if missing else ""),
        Condition("listed", _("The debtors who meet the conditions are on the dishonest-debtor list (Art. 1(2))"),
                  bool(debtors) and all(p.id_number in listed for p in debtors), True),
    ]


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
    from cases.hooks import (
        case_concluded,
        case_suspended,
        property_searched,
        register_case_panel,
        register_final_condition,
    )

    case_concluded.connect(on_case_concluded, dispatch_uid="credit.on_case_concluded")
    case_suspended.connect(on_case_suspended, dispatch_uid="credit.on_case_suspended")
    property_searched.connect(on_property_searched, dispatch_uid="credit.on_property_searched")
    register_case_panel(case_panel)
    register_final_condition(final_conditions)
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
