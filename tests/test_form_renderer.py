"""The form renderer (linkage.forms.WidgetRenderer; issue 13): Django's Jinja2 templates of its forms and
widgets, the template language for the admin's widgets, and the same markup as Django's default."""
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from linkage.forms import WidgetRenderer


class _EveryWidget(forms.Form):
    name = forms.CharField(label="名称", max_length=20, help_text="说明")
    note = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙 & 丙")])
    outcome = forms.ChoiceField(choices=[("x", "执行完毕"), ("y", "终结执行")], widget=forms.RadioSelect)
    acts = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], widget=forms.CheckboxSelectMultiple)
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField()
    file = forms.FileField(required=False)
    amount = forms.DecimalField(max_digits=10, decimal_places=2)


def _same(html: str) -> str:
    """Markup with the whitespace between and around tags taken out: what differs between the engines."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).replace("&#x27;", "&#39;")


def test_the_portal_renders_widgets_through_jinja2_and_the_admins_through_the_template_language():
    renderer = get_default_renderer()
    assert isinstance(renderer, WidgetRenderer)
    widget = renderer.get_template("django/forms/widgets/select.html")
    assert type(widget).__module__ == "django.template.backends.jinja2"
    admin = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert type(admin).__module__ == "django.template.backends.django"


@pytest.mark.parametrize("data", [None, {"name": "x" * 30, "kind": "z", "amount": "abc"}],
                         ids=["blank", "with errors"])
def test_the_markup_is_djangos_default(data):
    fast = _EveryWidget(data, renderer=WidgetRenderer())
    default = _EveryWidget(data, renderer=DjangoTemplates())
    html = str(fast)
    assert _same(html) == _same(str(default))
    if data:  # the errors are rendered, escaped, through the same templates
        assert "errorlist" in html and "乙 &amp; 丙" in html


@pytest.mark.django_db
def test_an_admin_change_form_renders(admin_client, make_case):
    case = make_case()
    response = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 200
    assert 'class="related-widget-wrapper"' in response.content.decode()
