from .roles import Role, has_role, is_court_user


def portal(request):
    """Role flags for the navigation; computed once per request from the cached role set."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "court": is_court_user(user),
            "clerk": user.is_superuser or has_role(user, Role.CLERK),
            "unit": has_role(user, Role.LIAISON, Role.UNIT_LEADER),
            "assessor": has_role(user, Role.ASSESSOR),
            # The roles that read every unit's scores (assessments.view_all_scores), without a query.
            "assessment": user.is_superuser or has_role(user, Role.ASSESSOR, Role.OFFICE, Role.CONVENER),
            "admin": user.is_staff,
        }
    }
