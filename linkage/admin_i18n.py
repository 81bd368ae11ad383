"""The admin's JavaScript catalogue (``/admin/jsi18n/``) in the portal's language.

Django's admin translates its widgets' JavaScript through its own ``djangojs`` catalogue. Django 5's
two-box picker (filter_horizontal: a user's roles, a role's permissions) asks for strings that Django's
zh_Hans ``djangojs`` catalogue does not have yet ("Choose %s by selecting them and then select the
"Choose" arrow button.", "Choose all %s", …): the page read "Choose 组 by selecting them", "Choose all 组".
This view serves Django's catalogue with those strings added from the portal's own catalogue (domain
``django``, ``locale/``), where ``make messages`` keeps them (``ADMIN_JS_MESSAGES``). A string Django's
catalogue already translates is left as Django has it.
"""
from django.contrib import admin
from django.utils.translation import gettext, gettext_noop
from django.views.i18n import JavaScriptCatalog

# django/contrib/admin/static/admin/js/SelectFilter2.js (Django 5.2)
ADMIN_JS_MESSAGES = (
    gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
    gettext_noop("Choose all %s"),
    gettext_noop("Choose selected %s"),
    gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
    gettext_noop("Remove all %s"),
    gettext_noop("Remove selected %s"),
    gettext_noop("(click to clear)"),
)


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """Django's admin catalogue, completed from the portal's for the language of the request."""

    def get_catalog(self):
        catalog = super().get_catalog()
        for msgid in ADMIN_JS_MESSAGES:
            if msgid not in catalog:
                translated = gettext(msgid)
                if translated != msgid:
                    catalog[msgid] = translated
        return catalog


# As the admin serves its own (AdminSite.i18n_javascript): staff only, cacheable.
admin_javascript_catalog = admin.site.admin_view(
    AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"]), cacheable=True)
