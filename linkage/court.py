"""The court the portal serves and the people who sign its documents, for every app."""
from django.conf import settings

DEFAULT_COURT_NAME = "湖北省公安县人民法院"


def court_name(court=None) -> str:
    """The name a document prints: its own court's (``court``, from the case) when given, else the
    install's first court's (issue 30: one install serves several courts)."""
    if court is not None:
        return court.name
    return getattr(settings, "COURT_NAME", "") or DEFAULT_COURT_NAME


def full_name(user) -> str:
    """A person as a document names them: family name then given name (周国强), else the user name."""
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()
