from rest_framework import serializers

from linkage.api import OutputModelSerializer

from .models import Capability, Unit


class CapabilitySerializer(OutputModelSerializer):
    action = serializers.CharField(source="action.code")
    name = serializers.CharField(source="action.name")

    class Meta:
        model = Capability
        fields = ["action", "name", "covers"]


class UnitSerializer(OutputModelSerializer):
    actions = serializers.SerializerMethodField()
    capabilities = CapabilitySerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "name_en", "kind", "articles", "active", "actions", "capabilities"]

    def get_actions(self, unit) -> list[str]:
        return [c.action.code for c in unit.capabilities.all()]


class UnitRefSerializer(OutputModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]
