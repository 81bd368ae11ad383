"""``get_FOO_display()`` without rebuilding the choices on every call (lean pages).

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` each time it is
called: a list of fifty notices printing their status pays that fifty times. A
model that lists this mixin before ``models.Model`` gets the same answer from a table built once per
field; the labels stay lazy, so each call still speaks the request's language.
"""
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_portal_choice_labels")
        if labels is None:
            labels = field.__dict__["_portal_choice_labels"] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
