"""The roles of DOMAIN.md section 2, held as Django groups.

One place says which role may do what at model level; per-unit object permissions (what unit a user
may act for) are granted with django-guardian in ``members.services``.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Court clerk")
    OFFICE = "office", _("Conference office")
    CONVENER = "convener", _("Convener")
    LIAISON = "liaison", _("Liaison officer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    ASSESSOR = "assessor", _("Assessor")
    UNIT_SYSTEM = "unit_system", _("Unit system (API token)")
    PRESIDENT = "president", _("Court president")  # signs consumption restriction orders (限高规定 Art. 5)
    # The supervising court's 执行指挥中心 (issue 30): reads the courts below, issues 督办 orders.
    SUPERVISOR = "supervisor", _("Supervising court")


# Roles that act for the court and the conference: they see every case and notice.
# Which court's rows they see is ``members.courts.court_ids``: their own, and for the supervising court
# the courts below it.
COURT_ROLES = frozenset({Role.CLERK, Role.OFFICE, Role.CONVENER, Role.PRESIDENT, Role.SUPERVISOR})

# Model permissions each role's group carries (app_label.codename). Object scope comes on top.
ROLE_PERMISSIONS = {
    Role.CLERK: [
        "cases.add_case", "cases.change_case", "cases.view_case",
        "cases.add_notice", "cases.view_notice", "cases.conclude_case", "cases.cancel_notice",
        "cases.close_notice",
        "cases.reveal_identifier",  # the audited reveal of full identifiers, with a reason (user guide)
        "credit.add_creditentry", "credit.view_creditentry", "credit.publish_creditentry",
        "credit.shield_creditentry", "credit.revoke_creditentry",
        "credit.add_consumptionrestriction", "credit.view_consumptionrestriction",
        "credit.lift_consumptionrestriction", "credit.add_decision", "credit.view_decision",
        "conferences.view_agendaitem", "conferences.view_meeting", "conferences.view_minutes",
        "conferences.view_actionitem",
    ],
    Role.OFFICE: ["cases.view_case", "cases.view_notice", "members.add_unit", "members.change_unit",
                  "credit.view_creditentry", "credit.view_consumptionrestriction",
                  "credit.change_restrictionunit", "credit.view_restrictionunit",
                  # The holiday table: next year's 调休 arrangement is entered by the office (cases/holidays.py).
                  "cases.view_holidayoverride", "cases.add_holidayoverride", "cases.change_holidayoverride",
                  "cases.delete_holidayoverride",
                  "conferences.add_agendaitem", "conferences.add_meeting", "conferences.add_minutes",
                  "conferences.close_actionitem", "conferences.view_agendaitem", "conferences.view_meeting",
                  "conferences.view_minutes", "conferences.view_actionitem"],
    Role.CONVENER: ["cases.view_case", "cases.view_notice", "credit.view_creditentry",
                    "conferences.decide_agendaitem", "conferences.issue_minutes",
                    "conferences.view_agendaitem", "conferences.view_meeting", "conferences.view_minutes",
                    "conferences.view_actionitem"],
    Role.LIAISON: ["cases.view_notice", "cases.view_case", "cases.acknowledge_notice", "cases.answer_notice",
                   "conferences.report_actionitem", "conferences.confirm_attendance",
                   "conferences.view_meeting", "conferences.view_actionitem"],
    Role.UNIT_LEADER: ["cases.view_notice", "cases.view_case", "conferences.view_meeting",
                       "conferences.view_actionitem"],
    Role.UNIT_SYSTEM: ["cases.view_notice", "cases.acknowledge_notice", "cases.answer_notice"],
    Role.ASSESSOR: [],
    # 失信规定 Art. 5 and 限高规定 Art. 5: the president decides listings and signs orders; 法发〔2019〕35号
    # item 17: approves a one-off permission; 民事诉讼法 Art. 119: approves fines and detention.
    Role.PRESIDENT: ["cases.view_case", "cases.view_notice", "credit.view_creditentry",
                     "credit.view_consumptionrestriction", "credit.sign_consumptionrestriction",
                     "credit.decide_decision", "credit.view_decision", "credit.lift_consumptionrestriction",
                     "assessments.approve_courtsanction", "assessments.view_courtsanction",
                     "assessments.view_noncooperationreport"],
}

ROLE_PERMISSIONS[Role.SUPERVISOR] = ["cases.view_case", "cases.view_notice", "cases.supervise_case",
                                     "conferences.view_meeting", "conferences.view_minutes",
                                     "conferences.view_actionitem"]

# Accountability and assessment (Art. 9, 36, 37, 39).
_REPORTS_READ = ["assessments.view_noncooperationreport", "assessments.view_referraltask"]
_PERIODS_READ = ["assessments.view_assessmentperiod", "assessments.view_assessmentscore"]
ROLE_PERMISSIONS[Role.CLERK] += ["assessments.add_noncooperationreport", *_REPORTS_READ,
                                 "assessments.add_courtsanction", "assessments.view_courtsanction"]
ROLE_PERMISSIONS[Role.OFFICE] += ["assessments.add_noncooperationreport", *_REPORTS_READ, *_PERIODS_READ,
                                  "assessments.add_assessmentperiod", "assessments.compute_assessmentperiod",
                                  "assessments.export_assessmentperiod", "assessments.view_all_scores"]
ROLE_PERMISSIONS[Role.CONVENER] += ["assessments.decide_noncooperationreport", *_REPORTS_READ, *_PERIODS_READ,
                                    "assessments.view_all_scores"]
ROLE_PERMISSIONS[Role.ASSESSOR] += [*_REPORTS_READ, *_PERIODS_READ, "assessments.add_assessmentperiod",
                                    "assessments.change_assessmentperiod", "assessments.compute_assessmentperiod",
                                    "assessments.finalise_assessmentperiod", "assessments.export_assessmentperiod",
                                    "assessments.view_all_scores"]
ROLE_PERMISSIONS[Role.LIAISON] += ["assessments.answer_noncooperationreport", *_REPORTS_READ, *_PERIODS_READ]
ROLE_PERMISSIONS[Role.UNIT_LEADER] += [*_REPORTS_READ, *_PERIODS_READ]


def role_codes(user) -> frozenset[str]:
    """The role codes of ``user``, cached on the instance for the request."""
    if not user.is_authenticated:
        return frozenset()
    from .backends import load_roles

    return load_roles(user)[0]


def has_role(user, *roles) -> bool:
    return bool(role_codes(user) & set(roles))


def is_court_user(user) -> bool:
    """Clerks, the office, conveners, the president and the supervising court see their courts' cases
    (``members.courts.court_ids``); superusers every court's."""
    return user.is_authenticated and (user.is_superuser or has_role(user, *COURT_ROLES))


def court_president():
    """The court's president (院长), who signs its decisions; None if the role has nobody."""
    from .models import User

    return User.objects.filter(groups__name=Role.PRESIDENT, is_active=True).order_by("id").first()


def system_actor():
    """Who the system acts as when a clock runs out (a deferral ends, a sweep deletes): the court's first
    clerk, else the first superuser."""
    from .models import User

    return (User.objects.filter(groups__name=Role.CLERK, is_active=True).order_by("id").first()
            or User.objects.filter(is_superuser=True).order_by("id").first())
