from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linkage.api import CleanCharField, IdField, IdListField, MaskedTextField, OutputModelSerializer
from members.serializers import UnitRefSerializer

from .models import (
    ActionItem,
    ActionReport,
    AgendaItem,
    AgendaReason,
    ConferenceEvent,
    Decision,
    Invitation,
    Meeting,
    Minutes,
)


class EventSerializer(OutputModelSerializer):
    actor = serializers.SerializerMethodField()
    note = MaskedTextField()

    class Meta:
        model = ConferenceEvent
        fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


class AgendaItemSerializer(OutputModelSerializer):
    status = serializers.CharField(read_only=True, help_text="proposed, approved, rejected, settled")
    cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)
    decided_by = serializers.SerializerMethodField()
    title = MaskedTextField()
    description = MaskedTextField()

    class Meta:
        model = AgendaItem
        fields = ["id", "title", "reason", "description", "status", "cases", "units", "suggested", "proposed_by",
                  "proposed_at", "decided_by", "decided_at", "decision_comment"]

    def get_decided_by(self, item) -> str | None:
        return item.decided_by.username if item.decided_by_id else None


class AgendaItemDetailSerializer(AgendaItemSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(AgendaItemSerializer.Meta):
        fields = [*AgendaItemSerializer.Meta.fields, "events"]


class AgendaItemInputSerializer(serializers.Serializer):
    title = CleanCharField(max_length=200)
    reason = serializers.ChoiceField(choices=AgendaReason.choices)
    description = CleanCharField(required=False, allow_blank=True, default="", max_length=5000)
    cases = IdListField(required=False, default=list)
    units = serializers.ListField(child=CleanCharField(max_length=60), required=False, default=list, max_length=200)


class CommentInputSerializer(serializers.Serializer):
    comment = CleanCharField(required=False, allow_blank=True, default="")


class InvitationSerializer(OutputModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text="invited, confirmed")

    class Meta:
        model = Invitation
        fields = ["unit", "status", "attendees", "confirmed_at", "notified_at"]


class MinutesRefSerializer(OutputModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft, issued")
    class Meta:
        model = Minutes
        fields = ["id", "status", "number", "issued_at"]


class MeetingSerializer(OutputModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="regular, special")
    status = serializers.CharField(read_only=True, help_text="scheduled, held")
    agenda_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    invitations = InvitationSerializer(many=True, read_only=True)
    minutes = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "title", "kind", "starts_at", "place", "status", "agenda_items", "invitations", "minutes"]

    def get_minutes(self, meeting) -> dict | None:
        minutes = getattr(meeting, "minutes", None)
        return MinutesRefSerializer(minutes).data if minutes is not None else None


class MeetingInputSerializer(serializers.Serializer):
    title = CleanCharField(max_length=200)
    kind = CleanCharField(help_text="regular or special")
    starts_at = CleanCharField(help_text="ISO date or datetime")
    place = CleanCharField(required=False, allow_blank=True, default="")
    agenda_items = IdListField()


class AttendanceInputSerializer(serializers.Serializer):
    attendees = CleanCharField(max_length=300)


class DecisionSerializer(OutputModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    text = MaskedTextField()
    action_item = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "seq", "text", "unit", "due_at", "agenda_item", "action_item"]

    def get_action_item(self, decision) -> int | None:
        item = getattr(decision, "action_item", None)
        return item.pk if item is not None else None


class MinutesSerializer(OutputModelSerializer):
    """The minutes as the reader may see them: with ``context["excerpt_unit"]`` (a unit's member reading
    minutes not issued to all), the common part and only the decisions addressed to that unit."""

    status = serializers.CharField(read_only=True, help_text="draft, issued")
    decisions = serializers.SerializerMethodField()
    excerpt = serializers.SerializerMethodField(help_text="the unit whose excerpt this is; null: the full minutes")
    summary = MaskedTextField()
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Minutes
        fields = ["id", "meeting", "status", "number", "year", "summary", "issued_to_all", "excerpt", "decisions",
                  "drafted_at", "issued_at", "events"]

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, minutes):
        from .selectors import decisions_for

        return DecisionSerializer(decisions_for(minutes, self.context.get("excerpt_unit")), many=True).data

    def get_excerpt(self, minutes) -> str | None:
        unit = self.context.get("excerpt_unit")
        return unit.code if unit is not None else None


class MinutesIssueInputSerializer(serializers.Serializer):
    to_all = serializers.BooleanField(required=False, default=False,
                                      help_text="issue the full minutes to every invited unit (default: each "
                                                "unit reads the common part and the decisions addressed to it)")


class DecisionInputSerializer(serializers.Serializer):
    text = CleanCharField()
    unit = CleanCharField(required=False, allow_blank=True, allow_null=True)
    due_at = CleanCharField(required=False, allow_blank=True, allow_null=True)
    agenda_item = IdField(required=False, allow_null=True)


class MinutesInputSerializer(serializers.Serializer):
    summary = CleanCharField(max_length=20000)
    decisions = DecisionInputSerializer(many=True, required=False, default=list, max_length=500)


class ActionReportSerializer(OutputModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)
    detail = MaskedTextField()

    class Meta:
        model = ActionReport
        fields = ["detail", "by", "at"]


class ActionItemSerializer(OutputModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    minutes = serializers.CharField(source="minutes.number", read_only=True)
    reports = ActionReportSerializer(many=True, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, reported, done, returned")
    text = MaskedTextField()

    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "minutes", "unit", "text", "due_at", "status", "overdue", "closed_at", "reports"]


class ReportInputSerializer(serializers.Serializer):
    detail = CleanCharField()


class ActionNoteInputSerializer(serializers.Serializer):
    note = CleanCharField(required=False, allow_blank=True, default="")
