"""The court key every court-owned row carries (issue 30), kept apart from ``members.courts`` (who sees
which court) so that ``members.models`` can use it without importing the roles."""
from django.conf import settings

from linkage.court import DEFAULT_COURT_NAME


def home_court_id() -> int:
    """The install's first court (the one of ``COURT_CODE``): the default of every court key, so an
    install that serves one court needs no extra step (and a row written without a court lands there)."""
    from django.apps import apps

    Court = apps.get_model("members", "Court")
    code = getattr(settings, "COURT_CODE", "") or "鄂1022"
    court, _created = Court.objects.get_or_create(
        code=code, defaults={"name": getattr(settings, "COURT_NAME", "") or DEFAULT_COURT_NAME})
    return court.pk


class CourtKeyMixin:
    """A model with a ``court`` key: a row saved without one belongs to the install's first court, so
    code written for one court (and a one-court install) keeps working; services of a multi-court
    install set it from the acting user's court."""

    def save(self, *args, **kwargs):
        if self.court_id is None:
            self.court_id = home_court_id()
        super().save(*args, **kwargs)
