from django.db.models import Prefetch
from rest_framework import viewsets

from .models import Capability, Unit
from .serializers import UnitSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Member units and the actions each offers (any signed-in user)."""

    serializer_class = UnitSerializer
    pagination_class = None
    lookup_field = "code"
    queryset = Unit.objects.prefetch_related(
        Prefetch("capabilities", queryset=Capability.objects.select_related("action"))
    )
