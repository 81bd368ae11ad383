from django.conf import settings

from members.courts import court_code, court_label
from members.roles import Role, has_role, is_court_user
from members.tokens import uses_api

from .todo import todo_for_request


def portal(request):
    """Role flags for the navigation, computed once per request from the cached role set, and the to-do
    counts of the menu (queried only if the page renders them)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "court": is_court_user(user),
            "clerk": user.is_superuser or has_role(user, Role.CLERK),
            # The president decides listings and signs orders; the clerk proposes them and serves them.
            "decisions": user.is_superuser or has_role(user, Role.PRESIDENT, Role.CLERK),
            "unit": has_role(user, Role.LIAISON, Role.UNIT_LEADER),
            "assessor": has_role(user, Role.ASSESSOR),
            "supervisor": has_role(user, Role.SUPERVISOR),
            "convener": has_role(user, Role.CONVENER),
            # API tokens in the account menu: a unit's liaison and the staff (members.tokens.uses_api).
            "api": uses_api(user),
            # The roles that read every unit's scores (assessments.view_all_scores), without a query.
            "assessment": user.is_superuser or has_role(user, Role.ASSESSOR, Role.OFFICE, Role.CONVENER),
            "admin": user.is_staff,
            # Reminder channels (the office) and absences (the office, a unit's liaison and leader).
            "office": user.is_superuser or has_role(user, Role.OFFICE),
            "absences": user.is_superuser or has_role(user, Role.OFFICE)
            or (bool(user.unit_id) and has_role(user, Role.LIAISON, Role.UNIT_LEADER)),
            # What waits for the user (portal.todo): called by the template only when a page shows the
            # menu, once per request; ``waiting`` is what the menu shows, the counts that are not zero.
            "todo": lambda: todo_for_request(request),
            # The footer names the user's court when it is not the install's first (issue 30).
            "court_label": lambda: (court_label(user.court_id)
                                    if court_code(user.court_id) != settings.COURT_CODE else ""),
            "waiting": lambda: [t for t in todo_for_request(request) if t.count],
        }
    }
