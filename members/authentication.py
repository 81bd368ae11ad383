"""``Authorization: Token <key>`` for users, with a lifetime and tied to the user's credentials
(``members.tokens``): a token expires after ``API_TOKEN_LIFETIME_DAYS``, and a password change, a disabled
account, a move off the unit or a role taken away revokes it."""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from linkage.orm import unique_or_none

from . import tokens


class ExpiringTokenAuthentication(TokenAuthentication):
    model = Token

    def authenticate_credentials(self, key):
        token = unique_or_none(Token.objects.select_related("user", "issue").filter(key=key))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        problem = tokens.token_problem(token)
        if problem == "expired":
            raise exceptions.AuthenticationFailed(
                _("The token has expired; ask for a new one at /api/v1/auth/token/."))
        if problem is not None:
            if problem == "revoked":  # the password or the account's access changed: gone for good
                Token.objects.filter(pk=token.pk).delete()
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        tokens.touch(token)
        return token.user, token
