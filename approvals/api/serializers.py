"""What the API reads and writes: nominations, their timeline, and the inputs of each action."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from approvals.models import (
    Attachment,
    Award,
    Campaign,
    Decision,
    DecisionEntry,
    DocumentType,
    Nomination,
    NominationEvent,
    Person,
    SubmissionLetter,
    Unit,
)
from approvals.permissions import AllowedAction
from approvals.selectors.nomination_filters import status_choices
from approvals.services.eligibility import Outcome
from approvals.services.nominations import Action, ReturnTo
from workflows.models import Stage, StageKind


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "short_name", "name"]


class CodedRefSerializer(serializers.Serializer):
    """An award or a campaign: its code and name."""

    code = serializers.CharField()
    name = serializers.CharField()


class NamedRefSerializer(serializers.Serializer):
    """A bloc or a council acting on a nomination."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class StageSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    level_display = serializers.CharField(source="get_level_display")

    class Meta:
        model = Stage
        fields = [
            "position",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "time_limit_working_days",
        ]


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")


class NominationListSerializer(serializers.ModelSerializer):
    """A row of a list: only the columns the list selector joins, so no query per row."""

    status_display = serializers.CharField(source="get_status_display")
    award = CodedRefSerializer()
    campaign = CodedRefSerializer()
    submitting_unit = UnitRefSerializer()
    current_stage = StageSerializer(allow_null=True)
    acting_unit = UnitRefSerializer(allow_null=True)
    acting_bloc = NamedRefSerializer(allow_null=True)
    acting_council = NamedRefSerializer(allow_null=True)
    claimed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    letter = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Nomination
        fields = [
            "id",
            "nominee_name",
            "status",
            "status_display",
            "award",
            "campaign",
            "submitting_unit",
            "stage_position",
            "current_stage",
            "acting_unit",
            "acting_bloc",
            "acting_council",
            "due_date",
            "is_overdue",
            "claimed_by",
            "letter",
            "created_at",
            "submitted_at",
            "finished_at",
        ]


class TaskSerializer(NominationListSerializer):
    """A row of the inbox (the same columns; its own name in the schema)."""


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name", "service_number"]


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    actor = UserRefSerializer(allow_null=True)

    class Meta:
        model = NominationEvent
        fields = [
            "created_at",
            "action",
            "action_display",
            "actor",
            "from_position",
            "from_stage",
            "to_position",
            "to_stage",
            "status_after",
            "comment",
            "data",
        ]


class NominationDetailSerializer(NominationListSerializer):
    """One nomination: the list row plus nominee, summary, who may act, timeline and actions.

    The view passes `acting_users`, `timeline` and `allowed_actions` in the context.
    """

    person = PersonRefSerializer(allow_null=True)
    nominee_unit = UnitRefSerializer(allow_null=True)
    acting_users = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(NominationListSerializer.Meta):
        fields = [
            *NominationListSerializer.Meta.fields,
            "person",
            "nominee_unit",
            "achievements",
            "acting_users",
            "timeline",
            "allowed_actions",
        ]

    @extend_schema_field(UserRefSerializer(many=True))
    def get_acting_users(self, nomination: Nomination) -> list[dict]:
        return UserRefSerializer(self.context["acting_users"], many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, nomination: Nomination) -> list[dict]:
        return EventSerializer(self.context["timeline"], many=True).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=AllowedAction.CHOICES))
    )
    def get_allowed_actions(self, nomination: Nomination) -> list[str]:
        return list(self.context["allowed_actions"])


class AttachmentUploadSerializer(serializers.Serializer):
    """A dossier document (PDF, DOCX, XLSX, JPEG, PNG, judged by content), as multipart."""

    file = serializers.FileField()
    document_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DocumentType.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Mã loại tài liệu, ví dụ bao-cao-thanh-tich."),
    )
    replaces = serializers.PrimaryKeyRelatedField(
        queryset=Attachment.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Bản đang dùng mà tệp này thay thế (bản cũ vẫn được giữ)."),
    )


class AttachmentSerializer(serializers.ModelSerializer):
    document_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "document_type",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "replaces",
            "is_current",
        ]


class RuleResultSerializer(serializers.Serializer):
    """One rule of the award checked against the nominee: what was found, what would do."""

    rule = serializers.CharField(source="label")
    kind = serializers.CharField(source="rule.kind", default=None, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    explanation = serializers.CharField()
    remedy = serializers.CharField()
    override_reason = serializers.CharField(source="override.reason", default=None, allow_null=True)


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    rules_in_force_from = serializers.DateField(
        source="version.effective_from", default=None, allow_null=True
    )
    results = RuleResultSerializer(many=True)


@extend_schema_field({"type": "string", "example": "f3"})
class UnitCodeOrIdField(serializers.Field):
    """A unit given by its code ("f3") or, failing that, by its id."""

    default_error_messages = {"not_found": _("Không có đơn vị “%(value)s”.")}

    def to_internal_value(self, data) -> Unit:
        value = str(data).strip()
        if "\x00" in value:  # PostgreSQL refuses NUL in a query's text: no unit has one
            raise serializers.ValidationError(self.error_messages["not_found"] % {"value": ""})
        condition = Q(code=value)
        # ASCII digits only: str.isdigit() also accepts "³", which int() refuses
        if value.isascii() and value.isdigit():
            condition |= Q(pk=int(value))
        # a code match wins over an id match
        units = sorted(Unit.objects.filter(condition), key=lambda unit: unit.code != value)
        if not units:
            raise serializers.ValidationError(self.error_messages["not_found"] % {"value": value})
        return units[0]

    def to_representation(self, value: Unit) -> str:
        return value.code


class NominationCreateSerializer(serializers.Serializer):
    """The input of nomination_create; the service checks permissions and the rules."""

    submitting_unit = UnitCodeOrIdField(help_text=_("Mã đơn vị đề nghị (hoặc id)."))
    award = serializers.SlugRelatedField(
        slug_field="code", queryset=Award.objects.all(), help_text=_("Mã danh hiệu.")
    )
    campaign = serializers.SlugRelatedField(
        slug_field="code", queryset=Campaign.objects.all(), help_text=_("Mã đợt thi đua.")
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        style={"base_template": "input.html"},
        help_text=_("Id cá nhân được đề nghị."),
    )
    nominee_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        style={"base_template": "input.html"},
        help_text=_("Id tập thể được đề nghị."),
    )
    achievements = serializers.CharField(help_text=_("Tóm tắt thành tích."))
    letter = serializers.PrimaryKeyRelatedField(
        queryset=SubmissionLetter.objects.all(),
        required=False,
        allow_null=True,
        style={"base_template": "input.html"},
        help_text=_("Id tờ trình (tùy chọn)."),
    )


class ActSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            (Action.APPROVE, _("Đồng ý, chuyển bước tiếp theo")),
            (Action.RETURN, _("Trả lại")),
            (Action.REJECT, _("Không đề nghị")),
        ]
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Ý kiến; bắt buộc khi trả lại hoặc không đề nghị."),
    )
    return_to = serializers.ChoiceField(
        choices=[
            (ReturnTo.PREVIOUS, _("Bước trước")),
            (ReturnTo.UNIT, _("Đơn vị đề nghị")),
        ],
        required=False,
        default=ReturnTo.PREVIOUS,
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class VoteResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    agree = serializers.IntegerField(min_value=0, help_text=_("Số phiếu tán thành."))
    members = serializers.IntegerField(min_value=1, help_text=_("Tổng số thành viên."))
    required = serializers.IntegerField(min_value=0, help_text=_("Số phiếu cần để đạt."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NominationFilterSerializer(serializers.Serializer):
    """The list's query parameters."""

    # as on the list page: "waiting" is every nomination sent and not yet ended
    status = serializers.ChoiceField(choices=status_choices(), required=False)
    award = serializers.CharField(required=False, help_text=_("Mã danh hiệu."))
    campaign = serializers.CharField(required=False, help_text=_("Mã đợt thi đua."))
    stage_kind = serializers.ChoiceField(
        choices=StageKind.choices, required=False, help_text=_("Loại bước hiện tại.")
    )
    q = serializers.CharField(
        required=False, help_text=_("Tên người, tập thể (không phân biệt dấu, hoa thường).")
    )
    unit = serializers.CharField(
        required=False, help_text=_("Mã đơn vị đề nghị (gồm cả các đơn vị cấp dưới).")
    )
    bloc = serializers.CharField(required=False, help_text=_("Mã khối thi đua."))
    overdue = serializers.BooleanField(required=False, help_text=_("Chỉ các đề nghị quá hạn."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    authority = UnitRefSerializer()
    target = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "signed_on",
            "authority",
            "issuer_title",
            "signer_name",
            "signer_title",
            "title",
            "target",
            "reason",
        ]


class DecisionEntrySerializer(serializers.ModelSerializer):
    award = CodedRefSerializer()
    in_force = serializers.SerializerMethodField(
        help_text=_("Còn hiệu lực (chưa bị quyết định sau sửa đổi, hủy bỏ).")
    )

    class Meta:
        model = DecisionEntry
        fields = [
            "line",
            "action",
            "nominee_name",
            "nominee_detail",
            "unit_name",
            "award",
            "nomination",
            "in_force",
        ]

    def get_in_force(self, entry) -> bool:
        record = getattr(entry, "record", None)
        return record is not None and record.revoked_by_id is None


class DecisionDetailSerializer(DecisionSerializer):
    grounds = serializers.CharField()
    entries = DecisionEntrySerializer(many=True, source="readable_entries")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "grounds", "entries"]
