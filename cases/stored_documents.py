"""The documents ``cases`` issues, registered with ``documents`` (its one registry of kinds): how each is
rendered when it is sealed and stored, its title, and what it stands for today. Registered when the app
loads (``CasesConfig.ready``)."""
from django.template.loader import render_to_string
from django.utils import timezone

from documents.models import DocumentKind
from documents.services import register_kind
from linkage.court import court_name, full_name
from linkage.dates import cn_date, cn_date_upper, local_date

from .documents import notice_context, notice_title
from .models import NoticeEvent
from .rulings import render_ruling_html
from .terms import LIMITED_ACTIONS, renewal_start_for, service_term, term_end, term_label

NOTICE_DOCUMENTS = (DocumentKind.NOTICE, DocumentKind.RELEASE, DocumentKind.RENEWAL, DocumentKind.PUSH,
                    DocumentKind.WITHDRAW)


def notice_html(document, extra: dict) -> str:
    """A notice as its target unit reads it (the reader the stored file is addressed to)."""
    notice = document.notice
    return render_to_string("cases/notice_document.html", {**notice_context(notice, notice.unit), **extra})


def notice_standing(document) -> dict | None:
    notice = document.notice
    if notice is None:
        return None
    if notice.status == "cancelled":
        return {"code": "cancelled", "text": "已撤销" if notice.kind not in ("push", "withdraw") else "已撤回"}
    release = notice.follow_ups.filter(kind="release").exclude(status="cancelled").order_by("id").first()
    if release is not None:
        return {"code": "released", "text": f"已被编号为{release.number}的{notice_title(release)}解除"}
    return None


def receipt_html(document, extra: dict) -> str:
    return render_to_string("documents/receipt.html", {**receipt_context(document), **extra})


def receipt_context(document) -> dict:
    notice = document.notice
    event = (NoticeEvent.objects.filter(notice=notice, transition="acknowledge").select_related("actor")
             .order_by("-at").first())
    signed_by = event.actor if event is not None else None
    at = notice.acknowledged_at or (event.at if event is not None else document.issued_at)
    local = timezone.localtime(at)
    return {"court_name": court_name(notice.case.court), "notice": notice, "case": notice.case, "unit": notice.unit,
            "notice_title": notice_title(notice), "signed_by": full_name(signed_by),
            "acknowledged_on": cn_date(local_date(at)), "acknowledged_time": local.strftime("%H:%M"),
            "delivered_on": cn_date(local_date(notice.delivered_at)) if notice.delivered_at else "",
            "issued_on": cn_date(local_date(notice.issued_at)), "seal_date": cn_date_upper(local_date(at)),
            "channel": "联动平台在线签收", "term": _served_term(notice)}


def _served_term(notice) -> str:
    """The term a freeze or seizure runs for from this service (查封扣押冻结规定 Art. 1), as the register
    records it: 冻结期限自2026年12月7日起至2027年12月6日止 (a renewal: the renewed term)."""
    if notice.action.code not in LIMITED_ACTIONS:
        return ""
    word = notice.action.name.split("/")[0]
    if notice.kind == "assist":
        term = service_term(notice)
        return f"{word}期限{term_label(*term)}（轮候{word}的，自其生效之日起计算）" if term else ""
    if notice.kind == "renewal" and notice.original_id:
        measure = getattr(notice.original, "measure", None)
        if measure is None or measure.expires_on is None:
            return ""
        start = renewal_start_for(notice, measure)
        return f"续行{word}期限{term_label(start, term_end(start, measure.asset_kind))}"
    return ""


def entrustment_html(document, extra: dict) -> str:
    """The 委托执行函 (事项委托): what court A asks court B to do, the clocks of Art. 240, the ruling."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from linkage.court import full_name
    from linkage.dates import cn_date, cn_date_upper, local_date

    e = document.entrustment
    case = e.case
    parties = list(case.parties.all())
    with translation.override("zh-hans"):
        return render_to_string("cases/entrustment_letter.html", {
            "e": e, "case": case, "court_name": court_name(case.court),
            "applicants": "、".join(p.name for p in parties if p.role == "applicant"),
            "debtors": "、".join(p.name for p in parties if p.role == "debtor"),
            "action": e.get_action_display(), "start_due": cn_date(e.start_due_on),
            "report_due": cn_date(e.report_due_on),
            "ruling_title": e.ruling.title if e.ruling_id else "", "ruling_number": e.ruling.ruling_number if e.ruling_id else "",
            "clerk": full_name(e.sent_by), "phone": e.sent_by.phone,
            "date": cn_date_upper(local_date(e.sent_at)), **extra})


def ruling_html(document, extra: dict) -> str:
    return render_ruling_html(document.ruling, extra)


def register() -> None:
    register_kind(*NOTICE_DOCUMENTS, render=notice_html, title=notice_title, standing=notice_standing)
    register_kind(DocumentKind.RECEIPT, render=receipt_html)
    register_kind(DocumentKind.RULING, render=ruling_html)
    register_kind(DocumentKind.ENTRUSTMENT, render=entrustment_html)
