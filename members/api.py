from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .channels import channel_add, channel_test, channels_for, may_manage
from .models import Capability, Court, Unit
from .serializers import (
    ChannelInputSerializer,
    ChannelMessageSerializer,
    ChannelSerializer,
    CourtSerializer,
    UnitSerializer,
)
from .tokens import token_issue


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Member units and the actions each offers (any signed-in user)."""

    serializer_class = UnitSerializer
    pagination_class = None
    lookup_field = "code"
    queryset = Unit.objects.prefetch_related(
        Prefetch("capabilities", queryset=Capability.objects.select_related("action"))
    )


class ObtainTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: DRF's token view, saying plainly when the account is locked
    (django-axes: 5 failed sign-ins) instead of a generic refusal. Every call issues a fresh token
    (``members.tokens``) and revokes the user's earlier one."""

    # The body carries the credentials: no session (whose CSRF check would refuse a signed-in browser's
    # script) and no other authentication applies here.
    authentication_classes = []
    # DRF's token view names its own parsers; use the project's (deep JSON is a 400, not a 500).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}  # a JSON string or list is no login
        credentials = {"username": data.get("username", "")}
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request._request, credentials):
            return Response({"detail": _("This account is locked after repeated failed sign-ins; try again "
                                         "in 30 minutes.")}, status=status.HTTP_403_FORBIDDEN)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Each sign-in renews: a fresh token valid API_TOKEN_LIFETIME_DAYS, the earlier one revoked.
        token = token_issue(serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": token.issue.expires_at})


class HealthView(APIView):
    """``GET /api/v1/health/``: the process answers and reaches the database (for load balancers)."""

    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(responses={200: inline_serializer("Health", {"status": serializers.CharField()})})
    def get(self, request):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})


class ChannelManagers(BasePermission):
    """The office and administrators manage channels; anyone else is refused (403)."""

    def has_permission(self, request, view):
        return may_manage(request.user)


class ChannelViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Notification channels (API.md "Channels"): robots, SMS and e-mail per unit; the secret is write-only."""

    serializer_class = ChannelSerializer
    permission_classes = [IsAuthenticated, ChannelManagers]
    pagination_class = None

    def get_queryset(self):
        return channels_for(self.request.user)

    @extend_schema(request=ChannelInputSerializer, responses={201: ChannelSerializer})
    def create(self, request, *args, **kwargs):
        data = ChannelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = channel_add(actor=request.user, **data.validated_data)
        return Response(ChannelSerializer(self.get_queryset().get(pk=channel.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ChannelMessageSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        message = channel_test(actor=request.user, channel=self.get_object())
        return Response(ChannelMessageSerializer(message).data)


class CourtViewSet(viewsets.ReadOnlyModelViewSet):
    """The courts of the install (API.md "Courts"): code, name, supervising court; any signed-in user."""

    serializer_class = CourtSerializer
    pagination_class = None
    lookup_field = "code"
    queryset = Court.objects.select_related("parent")
