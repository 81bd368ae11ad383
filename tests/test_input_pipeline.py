"""One input rule for every text field, form and API alike (``linkage.text.clean_text``): a length cap,
control characters stripped, direction overrides refused. The walk below finds every form and serializer
of the portal and fails on a text input that bypasses the rule."""
import importlib
import inspect
import sys
from pathlib import Path

import pytest
from django import forms
from rest_framework import serializers

from linkage.api import CleanCharField
from linkage.forms import CleanTextMixin
from linkage.text import FREE_TEXT_MAX_LENGTH

ROOT = Path(__file__).resolve().parent.parent
APPS = ("linkage", "members", "documents", "cases", "credit", "conferences", "assessments", "portal")
INPUT_MODULES = ("forms", "views", "api", "serializers")


def _project_classes(base):
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.stem not in INPUT_MODULES or "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = importlib.import_module(name)
            for _n, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, base) and cls.__module__.split(".")[0] in APPS:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_form_with_a_text_field_takes_the_one_rule():
    offenders = []
    forms_found = _project_classes(forms.BaseForm)
    assert len(forms_found) > 30  # the walk sees the portal's forms
    for name, cls in forms_found.items():
        if cls.__module__.endswith(".admin"):
            continue
        texts = [f for f, field in getattr(cls, "base_fields", {}).items() if isinstance(field, forms.CharField)]
        if texts and not issubclass(cls, CleanTextMixin):
            offenders.append(f"{name}: {texts}")
    assert not offenders, offenders


def test_every_writable_text_field_of_the_api_takes_the_one_rule():
    offenders = []
    found = _project_classes(serializers.BaseSerializer)
    assert len(found) > 30
    for name, cls in found.items():
        if issubclass(cls, serializers.ListSerializer) or cls.__module__ == "linkage.api":
            continue  # the shared bases themselves
        try:
            fields = cls().fields
        except Exception as exc:  # a serializer that needs arguments to be built says so here
            offenders.append(f"{name}: cannot be inspected ({exc!r})")
            continue
        for field_name, field in fields.items():
            if field.read_only:
                continue
            if isinstance(field, (serializers.ListField, serializers.DictField)):
                field = field.child  # a list of texts: each one takes the rule
            if isinstance(field, (serializers.DictField, serializers.JSONField)):
                offenders.append(f"{name}.{field_name}: free-form {type(field).__name__}")
            elif isinstance(field, serializers.CharField) and (
                    not isinstance(field, CleanCharField) or field.max_length is None):
                offenders.append(f"{name}.{field_name}: {type(field).__name__}")
    assert not offenders, offenders


class _NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea)
    title = forms.CharField(max_length=20)


def test_a_form_field_is_capped_stripped_and_refuses_direction_overrides():
    form = _NoteForm(data={"note": "a\x07b\r\nc", "title": "ok"})
    assert form.is_valid() and form.cleaned_data["note"] == "ab\nc"
    assert form.fields["note"].max_length == FREE_TEXT_MAX_LENGTH
    assert 'maxlength="2000"' in str(form["note"])
    assert not _NoteForm(data={"note": "x" * (FREE_TEXT_MAX_LENGTH + 1), "title": "ok"}).is_valid()
    rlo = _NoteForm(data={"note": "invoice\u202egnp.exe", "title": "ok"})
    assert not rlo.is_valid() and "note" in rlo.errors
    assert not _NoteForm(data={"title": "名\u2067字"}).is_valid()


def test_an_api_field_refuses_direction_overrides_with_a_400(api, make_case):
    case = make_case()
    response = api("clerk").post("/api/v1/notices/", {"case": case.pk, "unit": "bank-icbc", "action": "query",
                                                      "subject": "查询\u202e存款"}, format="json")
    assert response.status_code == 400 and "subject" in response.json()
    response = api("clerk").post("/api/v1/notices/", {"case": case.pk, "unit": "bank-icbc", "action": "query",
                                                      "subject": "x" * (FREE_TEXT_MAX_LENGTH + 1)}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/cases/{pk}/issue/?action=query"])
def test_the_browser_form_caps_the_subject_as_the_api_does(browser_client, make_case, path):
    case = make_case()
    page = browser_client("clerk").get(path.format(pk=case.pk))
    assert page.status_code == 200 and 'maxlength="2000"' in page.content.decode()
    assert sys.getsizeof(page.content) < 2_000_000
