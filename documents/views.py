"""/verify/ (public, rate-limited per client address, and a POST within the client's work budget:
``linkage.workbudget``) and the audited download of a stored document."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from linkage.http import ascii_filename, content_disposition
from linkage.orm import unique_or_none
from linkage.ratelimit import per_client
from linkage.workbudget import expensive

from . import services
from .forms import VerifyForm
from .models import IssuedDocument


@require_http_methods(["GET", "POST"])
@per_client("verify")
@expensive("verify", when=lambda request: request.method == "POST")
def verify(request):
    """Anyone holding a document checks it: upload the PDF or type its code."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            try:
                data, parse = services.checked_upload(upload)
            except ValidationError as exc:
                form.add_error("file", exc)
                return render(request, "documents/verify.html", {"form": form, "result": None})
            result = services.verify(pdf=data, parse=parse)
        else:
            result = services.verify(code=form.cleaned_data["code"])
            result["unknown_code"] = not result["registered"]
    return render(request, "documents/verify.html", {"form": form, "result": result})


@require_safe
@per_client("verify")
def verify_code(request, code):
    """Where the QR code points: the registered document's standing."""
    result = services.verify(code=code)
    result["unknown_code"] = not result["registered"]
    return render(request, "documents/verify.html", {"form": VerifyForm(initial={"code": code}), "result": result})


@login_required
@require_safe
def download(request, code):
    """A stored document, to the unit it is addressed to and (audited) to the court; 404 to anyone else."""
    from members.services import access_log

    document = unique_or_none(IssuedDocument.objects.select_related("notice", "minutes__meeting", "unit").filter(code=code))
    if document is None or not document.is_stored or not services.may_download(request.user, document):
        raise Http404
    access_log(actor=request.user, what="sealed_document", obj=document,
               reason=request.GET.get("reason", "")[:200])
    name = f"{document.title}{document.number}.pdf".replace("/", "／")
    with document.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        name, as_attachment=False, fallback=ascii_filename(name, f"document-{document.code}.pdf"))
    return response
