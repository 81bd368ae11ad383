from django import template

register = template.Library()


@register.simple_tag
def case_documents(case):
    """{notice id: [its current and superseded issued documents]} of a case, in one query."""
    from documents.models import IssuedDocument

    grouped = {}
    for doc in IssuedDocument.objects.filter(notice__case=case).order_by("id"):
        grouped.setdefault(doc.notice_id, []).append(doc)
    return grouped


@register.inclusion_tag("documents/_notice_documents.html", takes_context=True)
def notice_documents(context, grouped, notice):
    """The documents issued for ``notice``, beside it on the case page: the sealed notice (its copy as
    sent only with the audited reveal permission, docs/security.md) and the proof of service."""
    user = context.get("user")
    return {"docs": grouped.get(notice.pk, []) if grouped else [],
            "may_fetch_sealed": bool(user is not None and user.has_perm("cases.reveal_identifier"))}
