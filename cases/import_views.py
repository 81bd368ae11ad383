"""The case import page (``/cases/import/``, clerks): upload the case system's export, map its columns
(once: the court's mapping is kept), see every row's fate and errors, confirm. Thin: the reading, the
checks and the writes are ``cases.imports``; nothing is written before the confirmation."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkage.forms import CleanTextMixin, apply_service_errors
from linkage.identity import mask_identifiers_in_text
from linkage.spreadsheets import UploadRefused
from linkage.workbudget import WorkRefused, refused_response, work_budget

from . import imports

TEMPLATE = "cases/case_import.html"


class UploadForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Export of the case system (Excel .xlsx or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(rows)s cases and 2 MB; a row of column names, then one "
                                          "case a row.") % {"rows": imports.MAX_ROWS}


class MappingForm(CleanTextMixin, forms.Form):
    """A column of the file for each portal field (a required one must be chosen)."""

    def __init__(self, *args, headers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *[(h, h) for h in headers if h]]
        for f in imports.FIELDS:
            self.fields[f.key] = forms.ChoiceField(label=f.label, choices=choices, required=f.required)


def _require_clerk(user):
    if not user.has_perm(imports.PERMISSION):
        raise PermissionDenied


@login_required
def case_import(request):
    _require_clerk(request.user)
    context = {"upload": UploadForm(), "saved": _saved(), "max_rows": imports.MAX_ROWS}
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    step = request.POST.get("step", "upload")
    if step == "upload":
        return _upload(request, context)
    token = request.POST.get("token", "")
    table = imports.kept_table(actor=request.user, token=token)
    if table is None:
        messages.error(request, _("This preview has expired or was already imported; upload the file again."))
        return render(request, TEMPLATE, context, status=400)
    if step == "map":
        return _map(request, table, token)
    if step == "confirm":
        return _confirm(request, table, token)
    # "remap": change the court's mapping before importing this file
    return _mapping_page(request, table, token, MappingForm(headers=table.headers,
                                                            initial=imports.mapping_for(table.headers)[0]))


def _saved():
    labels = imports.field_labels()
    return [(labels[k], v) for k, v in imports.saved_mapping().items() if k in labels]


def _upload(request, context):
    form = UploadForm(request.POST, request.FILES)
    context["upload"] = form
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    try:
        with work_budget(request, "case_import"):  # reading a workbook is the expensive part
            table = imports.read_table(actor=request.user, upload=form.cleaned_data["file"])
    except WorkRefused as refused:
        return refused_response(request, refused)
    except UploadRefused as exc:
        apply_service_errors(form, exc)
        return render(request, TEMPLATE, context, status=400)
    token = imports.keep_table(actor=request.user, table=table)
    mapping, fits = imports.mapping_for(table.headers)
    if fits:
        return _preview(request, table, token, mapping)
    return _mapping_page(request, table, token, MappingForm(headers=table.headers, initial=mapping))


def _mapping_page(request, table, token, form, status=200):
    return render(request, "cases/case_import_mapping.html", {
        "form": form, "token": token, "table": table,
        # The file's first rows, to recognise the columns by: identifiers masked, as anywhere on screen.
        "sample": [[mask_identifiers_in_text(c) for c in cells] for _line, cells in table.rows[:3]]},
        status=status)


def _map(request, table, token):
    form = MappingForm(request.POST, headers=table.headers)
    if form.is_valid():
        try:
            row = imports.mapping_save(actor=request.user, mapping=form.cleaned_data, headers=table.headers)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _preview(request, table, token, row.mapping)
    return _mapping_page(request, table, token, form, status=400)


def _preview(request, table, token, mapping):
    outcome = imports.import_table(actor=request.user, table=table, mapping=mapping, dry_run=True)
    return render(request, "cases/case_import_preview.html", {
        "token": token, "table": table, "rows": _rows(outcome), "done": False,
        "created": outcome.count(imports.CREATED), "exists": outcome.count(imports.EXISTS),
        "errors": outcome.count(imports.ERROR), "mapping": mapping})


def _confirm(request, table, token):
    mapping = imports.saved_mapping()
    if not imports.mapping_fits(mapping, table.headers):
        return _mapping_page(request, table, token, MappingForm(headers=table.headers,
                                                                initial=imports.mapping_for(table.headers)[0]))
    outcome = imports.import_table(actor=request.user, table=table, mapping=mapping)
    imports.drop_table(actor=request.user, token=token)
    created = outcome.count(imports.CREATED)
    if created:
        messages.success(request, _("%(n)s cases registered.") % {"n": created})
    else:
        messages.info(request, _("No case was registered: every row is already registered or has errors."))
    return render(request, "cases/case_import_preview.html", {
        "table": table, "rows": _rows(outcome), "done": True, "batch": outcome.batch, "created": created,
        "exists": outcome.count(imports.EXISTS), "errors": outcome.count(imports.ERROR), "mapping": mapping})


def _rows(outcome):
    """Each result with its cells as the file has them and its errors labelled by field, in Chinese."""
    labels = imports.field_labels()
    return [{"row": r.row, "status": r.status, "id": r.id, "shown": r.shown,
             "errors": [(labels.get(key, key), _messages(value)) for key, value in r.errors.items()]}
            for r in outcome.results]


def _messages(value) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_messages(v) for v in value if v)
    if isinstance(value, dict):
        return " ".join(_messages(v) for v in value.values())
    return str(value)
