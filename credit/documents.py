"""The consumption restriction order (限制消费令) as a PDF, in the style of the notice documents
(``templates/cases/notice_document.html``: A4, GB/T 9704 margins, Noto Serif CJK, the seal place)."""
from django.template.loader import render_to_string
from django.utils import translation

from linkage.court import court_name, full_name
from linkage.dates import cn_date_upper, local_date

# 限高规定 Art. 11 (with the 2023 numbering of the Civil Procedure Law): the order's legal consequences.
CONSEQUENCES = ("被执行人违反限制消费令进行消费的行为属于拒不履行人民法院已经发生法律效力的判决、裁定的行为，经查证属实的，"
                "依照《中华人民共和国民事诉讼法》第一百一十四条的规定，予以拘留、罚款；情节严重，构成犯罪的，依法追究刑事责任。"
                "有关单位在收到人民法院协助执行通知书后，仍允许被执行人进行高消费及非生活或者经营必需的有关消费的，"
                "人民法院可以依照《中华人民共和国民事诉讼法》第一百一十七条的规定，追究其法律责任。")
DEFAULT_FACTS = "被执行人未按执行通知书指定的期间履行生效法律文书确定的给付义务"


def restriction_context(order, viewer=None) -> dict:
    """The order as 限高规定 Art. 5 wants it: period, items, legal consequences; signed by the president,
    dated in Chinese numerals as the court's documents are; the case number printed once."""
    from .restrictions import DEFAULT_PERIOD

    basis = (order.basis or "").strip().rstrip("。；，")
    return {"order": order, "court": court_name(order.case.court), "persons": list(order.persons.all()),
            "acts": order.act_labels(), "case": order.case,
            # The facts: the clerk's, or the ground every order rests on; never both (they say the same).
            "facts": basis or DEFAULT_FACTS,
            "period": order.period_text or DEFAULT_PERIOD, "consequences": CONSEQUENCES,
            "president": full_name(order.signed_by) if order.signed_by_id else "",
            "date": cn_date_upper(local_date(order.signed_at or order.issued_at or order.created_at))}


def restriction_html(document, extra) -> str:
    """The stored document (``documents``): rendered once, with its code and QR to /verify/."""
    order = document.restriction_order
    return render_to_string("credit/restriction_document.html", {**restriction_context(order), **extra})


def restriction_standing(document):
    order = getattr(document, "restriction_order", None)
    if order is not None and order.status == "lifted":
        return {"code": "released", "text": "已解除"}
    return None


def push_standing(document):
    """A push letter withdrawn by a withdrawal letter (after the notice's own standing: cancelled, released)."""
    push = getattr(document.notice, "credit_push", None) if document.notice_id else None
    if push is not None and push.withdrawal_id is not None:
        return {"code": "withdrawn", "text": f"已被编号为{push.withdrawal.number}的失信被执行人名单撤回函撤回"}
    return None


def register_document_kind() -> None:
    from documents.services import register_kind

    register_kind("restriction", render=restriction_html, standing=restriction_standing)
    register_kind("push", standing=push_standing)


def render_restriction_pdf(order, viewer=None) -> bytes:
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string("credit/restriction_document.html", restriction_context(order, viewer))
    return HTML(string=html).write_pdf()
