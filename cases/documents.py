"""The notice documents as PDFs, rendered by WeasyPrint from ``templates/cases/notice_document.html``.

The layout follows the court's own style (人民法院执行文书样式, 协助执行通知书 and its 回执): the court's full
name, the title, the case number as the document's number (the portal's serial on a smaller line of its
own), the addressee, the case by its applicant and the debtor concerned, the document being enforced
(执行依据), the legal basis of the action, the ruling it serves, what to do for which debtor, the term of a
freeze or seizure, the handling officer, the seal place, and a reply slip (协助执行回执) to cut off and
return. A release (解除…) names its ground and its release ruling.

Fonts come from Debian's ``fonts-noto-cjk`` (Noto Serif CJK SC / Noto Sans CJK SC) through fontconfig;
no font file is shipped with the code.
"""
import re
from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from linkage.court import court_name, full_name
from linkage.dates import SHANGHAI, cn_date, cn_date_upper, local_date
from linkage.numerals import chinese_numeral, format_yuan

from . import disclosure, terms

# 最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定 (2020 revision), Art. 28 para. 1: the grounds
# on which a measure is released, by item. A conclusion "completed" is a paid debt (item 4); "terminated"
# is among the other cases the court finds release necessary (item 6).
RELEASE_RULES = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》"
RELEASE_GROUNDS = {
    # ground: (how the document states it, item of Art. 28 para. 1)
    "third_party": ("所采取措施的财产属于案外人", 1),
    "withdrawn": ("申请执行人撤回执行申请或者放弃债权", 2),
    "unsaleable": ("该财产流拍或者变卖不成，申请执行人和其他执行债权人又不同意接受抵债，且对该财产又无法采取其他执行措施", 3),
    "debt_paid": ("被执行人已清偿债务", 4),
    "security": ("被执行人提供担保且申请执行人同意解除", 5),
    "other": ("本院认为应当解除", 6),
    "completed": ("本案已执行完毕", 4),
    "terminated": ("本案已裁定终结执行", 6),
    "not_enforced": ("据以执行的法律文书已裁定不予执行", 6),
    "application_rejected": ("申请执行人的执行申请已裁定驳回", 6),
    "filing_cancelled": ("本案已销案", 6),
    "preservation_lifted": ("财产保全已依法裁定解除", 6),
    "bankruptcy": ("人民法院已受理对被执行人的破产申请", 6),
    # Two grounds with a rule of their own: over-seizure (Art. 19) and a settlement (执行和解规定 Art. 3).
    "over_seizure": ("查封、扣押、冻结的财产价额明显超过未清偿的债权额", 19),
    "settlement": ("当事人达成执行和解协议，申请执行人申请解除", 0),
}
SETTLEMENT_RULES = "《最高人民法院关于执行和解若干问题的规定》第三条"


def release_basis(ground: str, action_code: str) -> tuple[str, str]:
    """(the ground as a document states it, the rule it is released under), for a release of ``action_code``:
    Art. 28 governs a seizure, distraint or freeze (a restriction or publication lifted states its ground
    alone), Art. 19 the part beyond the debt, the settlement rules a release the applicant asked for."""
    text, item = RELEASE_GROUNDS.get(ground) or RELEASE_GROUNDS["other"]
    if action_code not in TERM_ACTIONS:
        return text, ""
    if item == 19:
        return text, f"{RELEASE_RULES}第十九条"
    if item == 0:
        return text, SETTLEMENT_RULES
    return text, f"{RELEASE_RULES}第二十八条第一款第{chinese_numeral(item)}项"

# Actions whose document states a term (起止日期) and the actions where money is the measure.
TERM_ACTIONS = frozenset({"freeze", "seize"})
MONEY_ACTIONS = frozenset({"freeze", "deduct"})
_AMOUNT_IN_TEXT = re.compile(r"\d[\d,，.]*\s*万?元")


def _years(months: int) -> str:
    if months % 12 == 0:
        n = months // 12
        return ("两" if n == 2 else chinese_numeral(n)) + "年"
    return f"{chinese_numeral(months)}个月"


def _term(action_code: str, asset_kind: str, starts_on: date) -> tuple[date, int] | None:
    """(last day, months) of a freeze or seizure taking effect on ``starts_on``, by the register's rule
    (``cases.terms.term_for``: a term of N years ends the day before the same date N years later)."""
    term = terms.term_for(action_code, asset_kind, starts_on)
    if term is None:
        return None
    return term[1], terms.limit_months(asset_kind)


def officer_phone(user) -> str:
    """The phone the 本院经办人 line prints: the clerk's own (``User.phone``), else the court's contact
    phone (the ``court`` unit's ``contact_phone``); "" when neither is recorded."""
    phone = (getattr(user, "phone", "") or "").strip()
    if phone:
        return phone
    from django.db.models import Q

    from members.models import Unit

    court = (Unit.objects.filter(court_id=getattr(user, "court_id", None)).filter(Q(code="court") | Q(code__endswith="-court"))
             .values_list("contact_phone", flat=True).first())
    return (court or "").strip()


def _measure_of(notice):
    """The register's record of the measure a release or renewal concerns (None before an answer)."""
    original = notice.original
    if original is None:
        return None
    try:
        return original.measure
    except original.__class__.measure.RelatedObjectDoesNotExist:
        return None


def _action_word(action) -> str:
    """冻结 / 查封 (the first of 查封/扣押/轮候查封)."""
    return action.name.split("/")[0]


def _structured_kind(notice) -> str:
    """The asset kind the clerk gave (on the notice, or on the notice a renewal follows)."""
    source = notice.original if not notice.asset_kind and notice.original_id else notice
    kind = source.asset_kind
    return "" if kind == "unknown" else kind


def notice_context(notice, viewer=None) -> dict:
    """The document as ``viewer`` (a user or a unit; None: masked) may read it: only the party it concerns,
    with the identifier and account shown as ``cases.disclosure`` rules, free text masked."""
    case = notice.case
    action = notice.action
    kind = notice.kind
    parties = list(case.parties.all())
    applicants = [p for p in parties if p.role == "applicant"]
    concerned = disclosure.concerned_parties(notice)  # never a co-debtor the document is not about
    issued_on = local_date(notice.issued_at)
    public_letter = kind in ("push", "withdraw")

    basis = ""
    if case.basis_number:
        basis = f"{case.basis_issuer}{case.basis_number}"
        if case.basis_date:
            basis = f"{case.basis_issuer}于{cn_date(case.basis_date)}作出的{case.basis_number}"

    measure = _measure_of(notice)
    term = None
    if kind == "assist" and action.code in TERM_ACTIONS:
        # A measure takes effect on service (查封扣押冻结规定 Art. 1): the notice states the length and that it
        # runs from service; the proof of service (送达回证) and the register give the dates, by one rule.
        term = {"word": _action_word(action), "length": _years(terms.notice_term_months(notice)), "from_service": True}
    elif kind == "renewal" and action.code in TERM_ACTIONS and measure is not None and measure.expires_on:
        starts_on = terms.renewal_start_for(notice, measure)
        computed = _term(action.code, measure.asset_kind, starts_on)
        if computed is not None:
            ends_on, months = computed
            term = {"word": "续行" + _action_word(action), "length": _years(months), "starts": cn_date(starts_on),
                    "ends": cn_date(ends_on)}

    amount_limit = ""
    if kind in ("assist", "renewal") and action.code in MONEY_ACTIONS and notice.amount is not None:
        amount_limit = format_yuan(notice.amount)  # the structured amount the clerk gave
    elif kind == "renewal" and action.code in MONEY_ACTIONS and measure is not None and measure.amount is not None:
        amount_limit = format_yuan(measure.amount)  # a renewal continues what the measure holds
    elif kind in ("assist", "renewal") and action.code in MONEY_ACTIONS and not _AMOUNT_IN_TEXT.search(notice.subject):
        amount_limit = format_yuan(case.amount)

    release = None
    if kind == "release":
        text, release_rule = release_basis(notice.release_ground, action.code)
        release = {
            "ground": text,
            "basis": release_rule,
            "original_number": notice.original.number if notice.original_id else "",
        }

    return {
        "notice": notice,
        "case": case,
        "court_name": court_name(case.court),
        "title": _main_title(notice),
        "subtitle": _subtitle(notice),
        "applicant_names": "、".join(p.name for p in applicants),
        "debtor_names": "、".join(p.name for p in concerned),
        "debtors": [
            {"name": p.name, "kind": p.kind,
             "id_label": "统一社会信用代码" if p.kind == "organization" else "公民身份号码",
             "id_number": disclosure.identifier_for(viewer, notice, p),
             "legal_representative": p.legal_representative}
            for p in concerned
        ],
        "basis": basis,
        "legal_basis": action.legal_basis,
        "ruling_label": notice.ruling.ruling_label if notice.ruling_id else "",
        # the 附 line breaks, if it must, inside the number, never inside the ruling's kind (no "书" alone)
        "ruling_parts": _ruling_parts(notice),
        "action_label": notice.action_label,
        "action_word": _action_word(action),
        "property_action": action.code in TERM_ACTIONS,
        "term": term,
        "amount_limit": amount_limit,
        "measure": measure,
        # the body's text by the table's rule: the concerned person's ID in full for the reader who sees it
        "subject": disclosure.text_for(viewer, notice, notice.subject),
        "measure_asset": disclosure.asset_for(viewer, notice) if measure is not None else "",
        "structured": disclosure.structured_for(viewer, notice) if not public_letter else None,
        "measure_amount": format_yuan(measure.amount) if measure is not None else "",
        "measure_starts": cn_date(measure.starts_on) if measure is not None and measure.starts_on else "",
        "measure_expires": cn_date(measure.expires_on) if measure is not None and measure.expires_on else "",
        "release": release,
        "officer": full_name(notice.issued_by),
        "phone": officer_phone(notice.issued_by),
        "ack_due": _deadline(notice, notice.ack_due_at),
        "answer_due": _deadline(notice, notice.due_at),
        "issued_on": cn_date(issued_on),
        "seal_date": cn_date_upper(issued_on),
        "public_letter": public_letter,
        "conversion_from": case.preservation_case.number if kind == "conversion" and case.preservation_case_id else "",
    }


def _ruling_parts(notice) -> tuple[str, str]:
    """The ruling a document cites, as (its number, its kind): （2026）鄂1022执123号之一, 执行裁定书."""
    if not notice.ruling_id:
        return "", ""
    label, number = notice.ruling.ruling_label, notice.ruling.ruling_number
    if number and label.startswith(number):
        return number, label[len(number):]
    return "", label


def _deadline(notice, moment) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(SHANGHAI)
    text = cn_date(local.date())
    if notice.action.urgent_hours is not None:  # an urgent request is counted in hours
        text += local.strftime("%H:%M")
    return text


def _main_title(notice) -> str:
    if notice.kind == "conversion":
        return "保全措施转为执行措施告知函"
    if notice.kind == "push":
        return "失信被执行人名单推送函"
    if notice.kind == "withdraw":
        return "失信被执行人名单撤回函"
    return "协助执行通知书"


def _subtitle(notice) -> str:
    """（解除冻结） / （续行冻结）: what the notice asks, under the general title (执行文书样式)."""
    if notice.kind in ("release", "renewal"):
        return f"（{notice.action_label}）"
    return ""


def notice_title(notice) -> str:
    """The document's whole title: 协助执行通知书（解除冻结）."""
    return f"{_main_title(notice)}{_subtitle(notice)}"


def render_notice_html(notice, viewer=None) -> str:
    with translation.override("zh-hans"):
        return render_to_string("cases/notice_document.html", notice_context(notice, viewer))


def render_notice_pdf(notice, viewer=None) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads Pango, which only PDF pages need

    return HTML(string=render_notice_html(notice, viewer)).write_pdf()


def notice_filename(notice) -> str:
    """协助执行通知书（2026）鄂1022执123号-001.pdf (a release: 协助执行通知书（解除冻结）…)."""
    return f"{notice_title(notice)}{notice.number}.pdf".replace("/", "／")


