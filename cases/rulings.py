"""Rulings (裁定书) and decisions (决定书) of a case: uploaded as PDFs, or drawn up by the portal from its
template and sealed like the notices (``documents``: registered, rendered once, e-sealed, stored).

Every release, renewal, 终本, termination, suspension, deferral and preservation lifted names its ruling
(查封扣押冻结规定 Art. 1, 28; 民诉法解释 Arts. 485, 517; 民事诉讼法 Arts. 267-269): a service asks
``ruling_for`` for one, which takes the clerk's upload, a ruling already filed in the case, or draws one
up from ``facts`` (what it decides, frozen when it is made, so the stored document never changes).
"""
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkage.court import court_name, full_name
from linkage.dates import cn_date_upper
from linkage.numerals import chinese_numeral, format_yuan

from .models import Attachment, AttachmentPurpose, Case
from .notices import next_ruling_seq, store_ruling
from .terms import measure_term_label

# kind: (title, 裁定 or 决定)
RULING_KINDS = {
    "enforcement": "执行裁定书",
    "release": "解除查封、扣押、冻结裁定书",
    "partial_release": "部分解除查封、扣押、冻结裁定书",
    "renewal": "续行查封、冻结裁定书",
    "final_no_property": "终结本次执行程序裁定书",
    "termination": "终结执行裁定书",
    "suspension": "中止执行裁定书",
    "deferral": "暂缓执行决定书",
    "preservation_lift": "解除保全裁定书",
    "not_enforced": "不予执行裁定书",
    "application_rejected": "驳回执行申请裁定书",
    "filing_cancelled": "解除查封、扣押、冻结裁定书",
    # The president's decisions of an app above (credit.decisions): numbered and sealed the same way.
    "credit_listing": "纳入失信被执行人名单决定书",
    "credit_early_deletion": "提前删除失信信息决定书",
    "credit_correction": "纠正失信信息决定书",
    "credit_restriction_lift": "解除限制消费令",
    "credit_permission": "准许临时消费决定书",
    # 民事诉讼法 Arts. 117-119: the court's sanctions (assessments.services), approved by the president.
    "sanction_fine": "罚款决定书",
    "sanction_detention": "拘留决定书",
}
# The release ruling's title by the action it lifts (one action: its own name).
RELEASE_TITLES = {"freeze": "解除冻结裁定书", "seize": "解除查封裁定书", "restrict": "解除限制裁定书"}

SEIZURE_RULES = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》"
CPL = "《中华人民共和国民事诉讼法》"
CPL_INTERPRETATION = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"


def title_for(kind: str, action_codes=()) -> str:
    codes = set(action_codes)
    if kind == "release" and len(codes) == 1:
        return RELEASE_TITLES.get(next(iter(codes)), RULING_KINDS["release"])
    return RULING_KINDS.get(kind, RULING_KINDS["enforcement"])


def ruling_for(*, actor, case: Case, kind: str, ruling=None, upload=None, facts: dict | None = None,
               field: str = "ruling", action_codes=(), digest: str | None = None) -> Attachment:
    """The ruling a decision of ``kind`` on ``case`` (whose row the caller holds locked) is made by:

    * ``upload``: a PDF the clerk uploads (checked, stored as the case's next ruling);
    * ``ruling``: one already filed in the case (an Attachment or its id);
    * neither: drawn up from the template with ``facts`` (the portal's own, numbered and sealed).

    Bad input is a ValidationError on ``field`` and writes nothing."""
    from linkage.uploads import validate_pdf

    if upload is not None and ruling not in (None, ""):
        raise ValidationError({field: [_("Upload the ruling or choose one already filed, not both.")]})
    if upload is not None:
        try:
            digest = digest or validate_pdf(upload)  # ``digest``: the caller checked it already
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
        return store_ruling(actor=actor, case=case, upload=upload, digest=digest,
                            title=title_for(kind, action_codes), kind=kind)
    if ruling not in (None, ""):
        found = existing_ruling(case, ruling)
        if found is None:
            raise ValidationError({field: [_("No such ruling in this case.")]})
        return found
    return ruling_draw_up(actor=actor, case=case, kind=kind, facts=facts or {}, action_codes=action_codes)


def existing_ruling(case: Case, ruling) -> Attachment | None:
    if isinstance(ruling, Attachment):
        return ruling if ruling.case_id == case.pk and ruling.purpose == AttachmentPurpose.RULING else None
    try:
        ruling_id = int(str(ruling))
    except (TypeError, ValueError):
        return None
    return Attachment.objects.filter(pk=ruling_id, case=case, purpose=AttachmentPurpose.RULING).first()


def ruling_draw_up(*, actor, case: Case, kind: str, facts: dict, action_codes=()) -> Attachment:
    """A numbered ruling of ``case`` drawn up by the portal: stored as the case's next ruling (之一, 之二 …)
    with what it decides, registered as an issued document and sealed on commit."""
    title = title_for(kind, action_codes)
    seq = next_ruling_seq(case)
    ruling = Attachment.objects.create(
        case=case, purpose=AttachmentPurpose.RULING, original_name=f"{title}.pdf", size=0, sha256="",
        uploaded_by=actor, title=title, ruling_seq=seq, ruling_kind=kind, generated=True,
        facts={"made_on": timezone.localdate().isoformat(), "made_by": full_name(actor), **facts})
    from documents.services import register_ruling

    register_ruling(ruling, actor=actor)
    return ruling


# ---------------------------------------------------------------- what each ruling says

def _upper_date(iso: str) -> str:
    from datetime import date

    return cn_date_upper(date.fromisoformat(iso))


def _parties(case: Case) -> list[dict]:
    rows = []
    for p in case.parties.all():
        label = "申请执行人" if p.role == "applicant" else "被执行人"
        if case.group == "preservation":
            label = "申请保全人" if p.role == "applicant" else "被保全人"
        rows.append({"label": label, "name": p.name, "id": p.masked_id,
                     "id_label": "统一社会信用代码" if p.kind == "organization" else "公民身份号码",
                     "legal_representative": p.legal_representative})
    return rows


def _names(case: Case, role: str) -> str:
    return "、".join(p.name for p in case.parties.all() if p.role == role)


def _basis(case: Case) -> str:
    if not case.basis_number:
        return "生效法律文书"
    return f"{case.basis_issuer}{case.basis_number}"


def ruling_paragraphs(ruling: Attachment) -> dict:
    """The recitals, legal basis, orders and closing of a drawn-up ruling, from its facts (an app that
    composes its own text, e.g. credit's decisions, gives ``recitals`` and ``orders`` itself)."""
    case = ruling.case
    f = ruling.facts or {}
    if "orders" in f and "recitals" in f:
        orders = list(f["orders"])
        numbered = [f"{chinese_numeral(i)}、{t}" for i, t in enumerate(orders, 1)] if len(orders) > 1 else orders
        return {"recitals": list(f["recitals"]), "legal_basis": f.get("legal_basis", ""),
                "decision": f.get("decision", "裁定如下"), "orders": numbered, "closing": f.get("closing", "")}
    kind = ruling.ruling_kind
    note_masked = masked(f.get("note", ""))
    applicants, debtors = _names(case, "applicant"), _names(case, "debtor")
    matter = (f"本院在执行申请执行人{applicants}与被执行人{debtors}" +
              ("财产保全" if case.group == "preservation" else "") + "一案中")
    if case.group == "preservation":
        matter = f"本院在申请保全人{applicants}与被保全人{debtors}财产保全一案中"
    items = f.get("measures") or []
    assets = "；".join(f"{m['unit']}{m['action']}的{m['asset']}" + (f"（金额人民币{m['amount']}元）" if m.get("amount") else "")
                       for m in items)
    recitals, orders = [], []
    decision = "裁定如下"
    closing = "本裁定送达后立即生效。"
    basis = f.get("legal_basis", "")
    ground = f.get("ground_text", "")
    note = note_masked
    if kind in ("release", "filing_cancelled", "not_enforced", "application_rejected", "preservation_lift"):
        if assets:
            recitals.append(f"{matter}，曾依法对被执行人的下列财产采取查封、扣押、冻结措施：{assets}。")
        else:
            recitals.append(f"{matter}，依法采取了执行措施。")
        if ground:
            recitals.append(f"现因{ground}，本院认为，应当解除上述措施。")
        if note:
            recitals.append(note)
        if kind == "not_enforced":
            orders.append(f"对{_basis(case)}不予执行。")
        if kind == "application_rejected":
            orders.append(f"驳回申请执行人{applicants}的执行申请。")
        orders += [f"解除{m['unit']}对{m['asset']}的{m['action']}。" for m in items] or ["解除本案采取的查封、扣押、冻结措施。"]
    elif kind == "partial_release":
        recitals.append(f"{matter}，曾依法冻结、查封被执行人的下列财产：{assets}。")
        recitals.append(f"被执行人尚欠金额为人民币{f.get('outstanding', '')}元，上述措施所及财产价额超出部分应予解除。")
        orders += [f"解除{m['unit']}对{m['asset']}中人民币{m['released']}元的{m['action']}，其余部分继续{m['action']}。"
                   for m in items]
    elif kind == "renewal":
        recitals.append(f"{matter}，曾依法对被执行人的下列财产采取措施：{assets}。因被执行人仍未履行生效法律文书确定的义务，上述措施期限即将届满，应当续行。")
        orders += [f"继续{m['action']}{m['asset']}，期限自{m['starts']}起至{m['ends']}止。" for m in items]
    elif kind == "final_no_property":
        recitals.append(f"{matter}，执行依据为{_basis(case)}。本院依法向被执行人发出执行通知书、报告财产令，"
                        f"对被执行人的财产进行了调查，{f.get('findings', '未发现被执行人有可供执行的财产')}。")
        recitals += [c for c in f.get("conditions", [])]
        if note:
            recitals.append(note)
        orders.append("终结本次执行程序。")
        closing = ("申请执行人发现被执行人有可供执行财产的，可以向本院申请恢复执行。终结本次执行程序后，被执行人"
                   "应当继续履行生效法律文书确定的义务。本裁定送达后立即生效。")
    elif kind == "termination":
        recitals.append(f"{matter}，执行依据为{_basis(case)}。因{ground}。")
        if note:
            recitals.append(note)
        orders.append(f"终结{_basis(case)}的执行。")
        if f.get("keeps_measures"):
            orders.append("本案已采取的查封、扣押、冻结措施不予解除。")
    elif kind == "suspension":
        recitals.append(f"{matter}，因{ground}。")
        if note:
            recitals.append(note)
        orders.append(f"中止{_basis(case)}的执行。")
        closing = "中止执行的情形消失后，本院将恢复执行。本裁定送达后立即生效。"
    elif kind == "deferral":
        decision = "决定如下"
        recitals.append(f"{matter}，因{ground}。")
        if note:
            recitals.append(note)
        orders.append(f"暂缓执行至{f.get('until_text', '')}止。")
        closing = "暂缓执行期限届满后，本院将恢复执行。"
    else:
        recitals.append(f"{matter}。")
        if note:
            recitals.append(note)
    numbered = [f"{chinese_numeral(i)}、{text}" for i, text in enumerate(orders, 1)] if len(orders) > 1 else orders
    return {"recitals": recitals, "legal_basis": basis, "decision": decision, "orders": numbered,
            "closing": closing}


def ruling_context(ruling: Attachment) -> dict:
    f = ruling.facts or {}
    return {"court_name": court_name(ruling.case.court), "ruling": ruling, "case": ruling.case, "title": ruling.title,
            "number": ruling.ruling_number, "parties": _parties(ruling.case), **ruling_paragraphs(ruling),
            "signer": f.get("made_by", ""), "signer_title": f.get("signer_title", "执行员"),
            "date": _upper_date(f.get("made_on") or timezone.localdate().isoformat()),
            "heading": f.get("title_heading") or ("决定书" if f.get("is_decision") or ruling.ruling_kind == "deferral"
                                                   else "执行裁定书")}


def render_ruling_html(ruling: Attachment, extra: dict | None = None) -> str:
    with translation.override("zh-hans"):
        return render_to_string("cases/ruling_document.html", {**ruling_context(ruling), **(extra or {})})


def render_ruling_pdf(ruling: Attachment) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_ruling_html(ruling)).write_pdf()


# ---------------------------------------------------------------- facts

def masked(text: str) -> str:
    """A ruling is the court's record, read by the court and filed with the parties: an account or an
    identifier in it is masked when the facts are frozen (the unit reads it in full on its own notice)."""
    from linkage.identity import mask_identifiers_in_text

    return mask_identifiers_in_text(text or "")


def measure_facts(measures) -> list[dict]:
    """What a ruling says of each measure: the unit, the action, the asset, the amount."""
    return [{"unit": m.unit.name, "action": m.action.name.split("/")[0], "asset": masked(m.asset),
             "amount": format_yuan(m.amount) if m.amount is not None else "", "term": measure_term_label(m)}
            for m in measures]


def notice_facts(notices) -> list[dict]:
    """The same for measure notices (a release may lift what a unit was asked for and has not answered)."""
    from .models import Notice
    from .notices import registered_asset

    rows = []
    for n in notices:
        try:
            measure = n.measure
        except Notice.measure.RelatedObjectDoesNotExist:
            measure = None
        rows.append({"unit": n.unit.name, "action": n.action.name.split("/")[0], "asset": masked(registered_asset(n)),
                     "amount": format_yuan(measure.amount) if measure is not None and measure.amount is not None else ""})
    return rows
