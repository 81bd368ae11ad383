"""Change history of the portal's records (django-auditlog): who changed what, with old and new values.

Why django-auditlog and not django-pghistory: pghistory records through database triggers, which need
PostgreSQL, while the embedded default database is SQLite; auditlog records in Django signals, so it
works the same on both, and gives the admin one list (Audit log → Log entries) of every create, change
and delete with its JSON diff and actor (``auditlog.middleware.AuditlogMiddleware`` sets the actor).
What it does not see: ``QuerySet.update()`` and ``bulk_create`` (no signals); the state changes of
notices, minutes and action items keep their own immutable event rows besides.

Reads of personal data (reveals, downloads, exports, excerpt fetches) are ``members.AccessLog`` rows.

Registered from ``conferences.apps.ConferencesConfig.ready`` (all models are loaded by then).
"""
from auditlog.registry import auditlog

MASK = "linkage.audit.mask_value"


def mask_value(value: str) -> str:
    """A masked identifier in a diff: ``4210**********1234`` (as pages show a person's ID)."""
    from linkage.identity import mask_identifier

    return mask_identifier(str(value), "person")


def register_models() -> None:
    from django.apps import apps

    def model(label):
        return apps.get_model(label)

    plain = [
        "members.ActionType", "members.Capability", "members.LiaisonAssignment",
        "cases.Notice", "cases.Measure", "cases.HolidayOverride",
        "conferences.AgendaItem", "conferences.Meeting", "conferences.Minutes", "conferences.ActionItem",
        "assessments.AssessmentPeriod", "assessments.Indicator",
    ]
    for label in plain:
        if not auditlog.contains(model(label)):
            auditlog.register(model(label))
    special = {
        "members.Unit": dict(mask_fields=["webhook_secret"], mask_callable=MASK),
        "members.User": dict(exclude_fields=["password", "last_login"]),
        "members.UnitApiToken": dict(exclude_fields=["key_hash", "last_used_at"]),
        # The reverse side of a 执协 case's entrusted task is not a field of the case (a query per save).
        "cases.Case": dict(exclude_fields=["entrusted_by"]),
        "cases.Party": dict(mask_fields=["id_number"], mask_callable=MASK),
        "credit.CreditEntry": dict(mask_fields=["id_number"], mask_callable=MASK),
        "credit.CreditPerson": dict(mask_fields=["id_number"], mask_callable=MASK),
    }
    for label, options in special.items():
        if not auditlog.contains(model(label)):
            auditlog.register(model(label), **options)

