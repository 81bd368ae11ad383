"""The case lifecycle (DOMAIN.md section 5, "Case lifecycle"; docs/lifecycle.md, the table of effects).

Two tables, and nowhere else decides:

* ``CASE_MACHINE``: the moves a case may make (open ⇄ suspended → concluded), each written as an
  immutable ``CaseEvent``;
* ``ENDINGS``: what each way of ending a case does to what the units hold (release, keep, nothing held),
  which ruling it needs, which cases it fits (执 / 执恢 enforcement, 执保 preservation, 执异 / 执复 / 执监
  reviews) and what it does to the dishonest-debtor list.

The grounds and their rules were read in their texts (docs/lifecycle.md names each source):
民事诉讼法 (2023) Arts. 241, 242, 267, 268; 民诉法解释 (2022) Arts. 168, 517; 查封扣押冻结规定 (2020)
Arts. 1, 19, 28; 执行和解规定 (2018); 执行担保规定 (2018) Art. 10 and 暂缓执行规定 (2002); 终本规定
(2016) Arts. 1, 9; 立案结案意见 (法发〔2014〕26号) Arts. 14-28; 企业破产法 Art. 19.
"""
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from linkage.statemachine import Machine, Transition


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CONCLUDED = "concluded", _("Concluded")


# ---------------------------------------------------------------- case types (案号规定, 类型代字)

class CaseGroup(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Enforcement (执, 执恢)")
    PRESERVATION = "preservation", _("Preservation (执保)")
    REVIEW = "review", _("Review (执异, 执复, 执监)")


CASE_GROUPS = {
    "执": CaseGroup.ENFORCEMENT, "执恢": CaseGroup.ENFORCEMENT, "执协": CaseGroup.ENFORCEMENT,
    "执他": CaseGroup.ENFORCEMENT, "执保": CaseGroup.PRESERVATION,
    "执异": CaseGroup.REVIEW, "执复": CaseGroup.REVIEW, "执监": CaseGroup.REVIEW,
}


def case_group(case_type: str) -> str:
    return CASE_GROUPS.get(case_type, CaseGroup.ENFORCEMENT)


# A preservation (执保) secures property before or during the suit: it queries, freezes and seizes; it never
# takes money or transfers property (those are enforcement). A review (执异, 执复, 执监) decides on an
# enforcement act; the units are asked to act in the enforcement case itself.
ACTIONS_BY_GROUP = {
    CaseGroup.PRESERVATION: frozenset({"query", "freeze", "seize"}),
    CaseGroup.REVIEW: frozenset(),
}


def action_allowed(case_type: str, action_code: str) -> bool:
    allowed = ACTIONS_BY_GROUP.get(case_group(case_type))
    return allowed is None or action_code in allowed


# ---------------------------------------------------------------- how a case ends

class CaseOutcome(models.TextChoices):
    # 执行实施类 (立案结案意见 Art. 14; 执恢 Art. 22: the first three)
    COMPLETED = "completed", _("Enforcement completed (执行完毕)")
    TERMINATED = "terminated", _("Enforcement terminated (终结执行)")
    FINAL_NO_PROPERTY = "final_no_property", _("This round ended, no property found (终结本次执行程序)")
    NOT_ENFORCED = "not_enforced", _("Not enforced (不予执行)")
    APPLICATION_REJECTED = "application_rejected", _("Application rejected (驳回申请)")
    FILING_CANCELLED = "filing_cancelled", _("Filing cancelled (销案)")
    # 执保 (Art. 21), and the preservation lifted by its ruling (财产保全规定 Art. 23)
    PRESERVATION_DONE = "preservation_done", _("Preservation carried out in full (保全完毕)")
    PRESERVATION_PARTIAL = "preservation_partial", _("Preservation carried out in part (部分保全)")
    PRESERVATION_NOTHING = "preservation_nothing", _("No property to preserve (无标的物可实施保全)")
    PRESERVATION_LIFTED = "preservation_lifted", _("Preservation lifted (解除保全)")
    # 执异 / 执复 / 执监 (Arts. 24-26)
    REVIEW_WITHDRAWN = "review_withdrawn", _("Withdrawal allowed (准予撤回异议或申请)")
    REVIEW_DISMISSED = "review_dismissed", _("Dismissed (驳回异议或申请)")
    REVIEW_UPHELD = "review_upheld", _("Upheld: the act revoked or changed (撤销或者变更)")
    REVIEW_PARTLY_UPHELD = "review_partly_upheld", _("Upheld in part (部分撤销或者变更)")


class TerminationGround(models.TextChoices):
    """终结执行 (民事诉讼法 2023 Art. 268; 立案结案意见 Art. 17)."""

    CREDITOR_WITHDREW = "creditor_withdrew", _("The applicant withdrew the application (申请人撤销申请)")
    BASIS_REVOKED = "basis_revoked", _("The basis was revoked (据以执行的法律文书被撤销)")
    DEBTOR_DIED = "debtor_died", _("The debtor died with no estate and no successor (被执行人死亡，无遗产又无义务承担人)")
    MAINTENANCE_CREDITOR_DIED = "maintenance_died", _("The creditor of maintenance died (追索赡养费、扶养费、抚养费的权利人死亡)")
    DESTITUTE = "destitute", _("The debtor is destitute, without income and unable to work (生活困难无力偿还)")
    ENTITY_ENDED = "entity_ended", _("The debtor organisation ended with no property and no successor (被执行人终止，无财产可供执行又无义务承受人)")
    BANKRUPT = "bankrupt", _("The debtor was declared bankrupt (被执行人被宣告破产)")
    SETTLEMENT = "settlement", _("A long-term settlement agreement is being performed (执行和解协议长期履行)")
    TAKEN_UP = "taken_up", _("Taken up by the higher court (提级执行)")
    DESIGNATED = "designated", _("Designated to another court (指定其他法院执行)")
    ENTRUSTED = "entrusted", _("Entrusted to another court, which has filed it (委托执行)")
    OTHER = "other", _("Other circumstances the court finds call for termination (其他情形)")


# A termination on these grounds hands the enforcement on (a settlement that runs on, a higher or another
# court that continues it): the property stays secured. On every other ground the measures are released
# (查封扣押冻结规定 Art. 28(2), (6)).
TERMINATION_KEEPS_MEASURES = frozenset({TerminationGround.SETTLEMENT, TerminationGround.TAKEN_UP,
                                        TerminationGround.DESIGNATED, TerminationGround.ENTRUSTED})
# 立案结案意见 Art. 17 last para.: a ruling for every ground but the three transfers to another court.
TERMINATION_WITHOUT_RULING = frozenset({TerminationGround.TAKEN_UP, TerminationGround.DESIGNATED,
                                        TerminationGround.ENTRUSTED})


class PreservationLiftGround(models.TextChoices):
    """解除保全 (财产保全规定 Art. 23; 民诉法解释 Art. 166)."""

    WITHDRAWN = "withdrawn", _("The applicant withdrew the preservation (申请人撤回保全申请)")
    SECURITY = "security", _("The respondent gave security (被保全人提供担保)")
    SUIT_DISMISSED = "suit_dismissed", _("The suit was dismissed or the claim rejected (起诉或诉讼请求被驳回)")
    NO_SUIT = "no_suit", _("No suit was brought in time after pre-action preservation (未在法定期间起诉)")
    OTHER = "other", _("Other circumstances the court finds call for lifting (其他情形)")


@dataclass(frozen=True)
class Ending:
    """What ending a case this way does (docs/lifecycle.md, one row each)."""

    outcome: str
    groups: frozenset          # the case groups it fits
    measures: str              # "release" | "keep" | "none" (a review holds none)
    ruling: str                # the ruling it needs ("" none): a kind of cases.rulings.RULING_KINDS
    release_ground: str = ""   # the ground the release notices print
    list_ground: str = ""      # the dishonest-list deletion it causes (credit.RevokeGround), "" none
    rule: str = ""


_E, _P, _R = frozenset({CaseGroup.ENFORCEMENT}), frozenset({CaseGroup.PRESERVATION}), frozenset({CaseGroup.REVIEW})

ENDINGS = {e.outcome: e for e in [
    Ending(CaseOutcome.COMPLETED, _E, "release", "release", "completed", "performed",
           "立案结案意见 Art. 15; 查封扣押冻结规定 Art. 28(4); 失信规定 Art. 10(1)"),
    Ending(CaseOutcome.TERMINATED, _E, "release", "termination", "terminated", "terminated",
           "民事诉讼法 Art. 268; 立案结案意见 Art. 17; 查封扣押冻结规定 Art. 28; 失信规定 Art. 10(7)"),
    Ending(CaseOutcome.FINAL_NO_PROPERTY, _E, "keep", "final_no_property", "", "",
           "终本规定 Arts. 1, 7, 9; 民诉法解释 Art. 517"),
    Ending(CaseOutcome.NOT_ENFORCED, _E, "release", "not_enforced", "not_enforced", "not_enforced",
           "立案结案意见 Art. 19; 失信规定 Art. 10(6)"),
    Ending(CaseOutcome.APPLICATION_REJECTED, _E, "release", "application_rejected", "application_rejected",
           "terminated", "立案结案意见 Art. 20"),
    Ending(CaseOutcome.FILING_CANCELLED, _E, "release", "filing_cancelled", "filing_cancelled", "terminated",
           "立案结案意见 Art. 18"),
    Ending(CaseOutcome.PRESERVATION_DONE, _P, "keep", "", "", "", "立案结案意见 Art. 21(1); 民诉法解释 Art. 168"),
    Ending(CaseOutcome.PRESERVATION_PARTIAL, _P, "keep", "", "", "", "立案结案意见 Art. 21(2); 民诉法解释 Art. 168"),
    Ending(CaseOutcome.PRESERVATION_NOTHING, _P, "keep", "", "", "", "立案结案意见 Art. 21(3)"),
    Ending(CaseOutcome.PRESERVATION_LIFTED, _P, "release", "preservation_lift", "preservation_lifted", "",
           "财产保全规定 Art. 23; 民诉法解释 Art. 166"),
    Ending(CaseOutcome.REVIEW_WITHDRAWN, _R, "none", "", rule="立案结案意见 Arts. 24-26"),
    Ending(CaseOutcome.REVIEW_DISMISSED, _R, "none", "", rule="立案结案意见 Arts. 24-26"),
    Ending(CaseOutcome.REVIEW_UPHELD, _R, "none", "", rule="立案结案意见 Arts. 24-26"),
    Ending(CaseOutcome.REVIEW_PARTLY_UPHELD, _R, "none", "", rule="立案结案意见 Arts. 24-26"),
]}

# Endings after which the property stays secured: the measures and the requests for them stay open and
# are renewed before they expire (a 终本 case; a 执保 case until its 执 case takes them over).
KEEPING_OUTCOMES = frozenset(o for o, e in ENDINGS.items() if e.measures == "keep")
PRESERVATION_KEEPING = frozenset({CaseOutcome.PRESERVATION_DONE, CaseOutcome.PRESERVATION_PARTIAL,
                                  CaseOutcome.PRESERVATION_NOTHING})


def endings_for(case_type: str) -> list[str]:
    group = case_group(case_type)
    return [o for o, e in ENDINGS.items() if group in e.groups]


def ending_measures(outcome: str, ground: str = "") -> str:
    """"release" | "keep" | "none" for ``outcome`` on ``ground`` (a termination's)."""
    ending = ENDINGS[outcome]
    if outcome == CaseOutcome.TERMINATED and ground in TERMINATION_KEEPS_MEASURES:
        return "keep"
    return ending.measures


def keeps_measures(status: str, outcome: str, ground: str = "") -> bool:
    """Whether a case in this state keeps what the units hold (renewals go on): open, suspended, or
    concluded by an ending that keeps them."""
    if status != CaseStatus.CONCLUDED:
        return True
    return outcome in ENDINGS and ending_measures(outcome, ground) == "keep"


# ---------------------------------------------------------------- suspension, deferral, settlement

class SuspensionKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension (中止执行)")
    DEFERRAL = "deferral", _("Deferral (暂缓执行)")
    SETTLEMENT = "settlement", _("Settlement being performed (执行和解)")


class SuspensionGround(models.TextChoices):
    # 中止执行, 民事诉讼法 (2023) Art. 267
    CREDITOR_DEFERS = "creditor_defers", _("The applicant agrees to defer enforcement (申请人表示可以延期执行)")
    THIRD_PARTY_OBJECTION = "third_party_objection", _("A third party's well-founded objection to the object (案外人异议确有理由)")
    PARTY_DIED = "party_died", _("A party died; the heirs must be awaited (一方当事人死亡，需要等待继承人)")
    ENTITY_ENDED = "entity_ended", _("A party organisation ended; its successor is not yet known (法人或者其他组织终止，尚未确定承受人)")
    RETRIAL = "retrial", _("Retrial of the basis (审判监督程序裁定中止执行)")
    BANKRUPTCY = "bankruptcy", _("A bankruptcy petition against the debtor was accepted (受理破产申请)")
    OTHER = "other", _("Other circumstances the court finds call for suspension (其他情形)")
    # 暂缓执行, 民事诉讼法 (2023) Art. 242; 执行担保规定 (2018); 暂缓执行规定 (2002)
    SECURITY_GIVEN = "security_given", _("The debtor gave security and the applicant agrees (执行担保)")
    DEFERRAL_OTHER = "deferral_other", _("Other grounds of the deferral rules (暂缓执行规定)")
    # 执行和解, 民事诉讼法 (2023) Art. 241; 执行和解规定 (2018) Art. 2
    SETTLEMENT = "settlement", _("An enforcement settlement agreement (执行和解协议)")


GROUNDS_BY_KIND = {
    SuspensionKind.SUSPENSION: frozenset({SuspensionGround.CREDITOR_DEFERS, SuspensionGround.THIRD_PARTY_OBJECTION,
                                          SuspensionGround.PARTY_DIED, SuspensionGround.ENTITY_ENDED,
                                          SuspensionGround.RETRIAL, SuspensionGround.BANKRUPTCY,
                                          SuspensionGround.OTHER}),
    SuspensionKind.DEFERRAL: frozenset({SuspensionGround.SECURITY_GIVEN, SuspensionGround.DEFERRAL_OTHER}),
    SuspensionKind.SETTLEMENT: frozenset({SuspensionGround.SETTLEMENT}),
}
# The API's names for the deferral grounds (API.md: ``security_given`` or ``other``).
DEFERRAL_GROUND_ALIASES = {"other": SuspensionGround.DEFERRAL_OTHER}

# 暂缓执行: with security, for the term the security states, at most one year (执行担保规定 2018 Art. 10);
# on the other grounds at most three months (暂缓执行规定 2002 Art. 9). Either way it then proceeds by
# itself (the daily sweep), as the rules say enforcement resumes once the term ends.
DEFERRAL_MAX_MONTHS = {SuspensionGround.SECURITY_GIVEN: 12, SuspensionGround.DEFERRAL_OTHER: 3}

# 企业破产法 Art. 19: once a bankruptcy petition is accepted, "有关债务人财产的保全措施应当解除，执行程序
# 应当中止": this suspension releases every measure (the law wins over keeping them).
SUSPENSION_RELEASES = frozenset({SuspensionGround.BANKRUPTCY})
# 失信规定 Art. 10(5): suspended for a retrial or for bankruptcy, the debtor's listing is deleted.
SUSPENSION_LIST_GROUND = {SuspensionGround.RETRIAL: "suspended", SuspensionGround.BANKRUPTCY: "suspended"}
# The rulings: 中止执行裁定书 (民事诉讼法 Art. 269), 暂缓执行决定书.
SUSPENSION_RULING = {SuspensionKind.SUSPENSION: "suspension", SuspensionKind.SETTLEMENT: "suspension",
                     SuspensionKind.DEFERRAL: "deferral"}


# ---------------------------------------------------------------- the moves

CASE_MACHINE = Machine(CaseStatus, [
    Transition("suspend", frozenset({CaseStatus.OPEN}), CaseStatus.SUSPENDED, _("suspend")),
    Transition("proceed", frozenset({CaseStatus.SUSPENDED}), CaseStatus.OPEN, _("proceed")),
    # 立案结案意见 Art. 23: a suspended case is not concluded, except a settlement performed in full
    # (执行和解规定: 执行完毕); ``case_conclude`` holds that guard.
    Transition("conclude", frozenset({CaseStatus.OPEN, CaseStatus.SUSPENDED}), CaseStatus.CONCLUDED, _("conclude")),
    # A concluded case that keeps its measures hands them on: resumed (执恢), or a 执保 case carried over
    # into its 执 case. The old case stays concluded; the event records where they went.
    Transition("resume", frozenset({CaseStatus.CONCLUDED}), CaseStatus.CONCLUDED, _("resume")),
    Transition("carry_over", frozenset({CaseStatus.CONCLUDED}), CaseStatus.CONCLUDED, _("carry over")),
], refusal=_("This case is %(status)s; it cannot %(action)s now."))
