from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from linkage.api import CleanCharField, OutputModelSerializer

from .channels import masked_target
from .models import Capability, Channel, ChannelKind, ChannelMessage, Court, Unit


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


class ChannelInputSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(active=True))
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    target = CleanCharField(max_length=500)
    secret = CleanCharField(max_length=200, required=False, allow_blank=True, write_only=True)


class ChannelSerializer(OutputModelSerializer):
    unit = serializers.CharField(source="unit.code")
    target = serializers.SerializerMethodField()
    failing = serializers.BooleanField()
    has_secret = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["id", "unit", "kind", "target", "has_secret", "active", "failing", "failures", "last_error",
                  "last_sent_at", "created_at", "last_message"]

    def get_target(self, channel) -> str:
        return masked_target(channel)

    def get_has_secret(self, channel) -> bool:
        return bool(channel.secret)

    @extend_schema_field(inline_serializer("ChannelLastMessage", fields={
        "id": serializers.IntegerField(), "purpose": serializers.CharField(), "status": serializers.CharField(),
        "created_at": serializers.DateTimeField(), "sent_at": serializers.DateTimeField(allow_null=True),
        "last_error": serializers.CharField()}, allow_null=True))
    def get_last_message(self, channel):
        last = channel.last_messages[0] if getattr(channel, "last_messages", None) else None
        if last is None:
            return None
        return {"id": last.pk, "purpose": last.purpose, "status": last.status, "created_at": last.created_at,
                "sent_at": last.sent_at, "last_error": last.last_error}


class ChannelMessageSerializer(OutputModelSerializer):
    class Meta:
        model = ChannelMessage
        fields = ["id", "purpose", "title", "status", "attempts", "last_error", "created_at", "sent_at"]


class CourtSerializer(OutputModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text="The supervising court's code; null for the top court")

    class Meta:
        model = Court
        fields = ["code", "name", "parent"]
