"""Django admin for the organisation, the catalogue, campaigns and role assignments."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from approvals import models
from approvals.services.roles import role_grant, role_revoke

admin.site.site_header = _("Quản trị hệ thống Thi đua - Khen thưởng")
admin.site.site_title = _("Quản trị TĐKT")
admin.site.index_title = _("Tổ chức, danh mục và đợt thi đua")


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "code", "level", "strength", "is_active")
    list_filter = ("level", "is_active", "nominations_include_subunits")
    search_fields = ("code", "short_name", "name")
    autocomplete_fields = ("parent",)
    list_per_page = 100

    @admin.display(description=_("đơn vị"), ordering="path")
    def indented_name(self, unit):
        return f"{'— ' * unit.depth}{unit.short_name}"


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "service_number", "rank", "position", "unit", "gender")
    list_filter = ("category", "gender", "rank", "unit__level")
    search_fields = ("full_name", "search_name", "service_number", "unit__short_name")
    autocomplete_fields = ("unit", "user")
    list_select_related = ("unit",)


class BlocMembershipInline(admin.TabularInline):
    model = models.BlocMembership
    autocomplete_fields = ("unit",)
    extra = 0


class BlocLeadershipInline(admin.TabularInline):
    model = models.BlocLeadership
    autocomplete_fields = ("leader", "deputy")
    extra = 0


@admin.register(models.EmulationBloc)
class EmulationBlocAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "organiser")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ("organiser",)
    inlines = [BlocMembershipInline, BlocLeadershipInline]


class CouncilMembershipInline(admin.TabularInline):
    model = models.CouncilMembership
    autocomplete_fields = ("person",)
    extra = 0


@admin.register(models.AwardsCouncil)
class AwardsCouncilAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "kind", "quorum_numerator", "quorum_denominator")
    list_filter = ("kind", "allows_written_votes", "allows_second_round")
    search_fields = ("name", "unit__short_name")
    autocomplete_fields = ("unit", "secretariat")
    inlines = [CouncilMembershipInline]


@admin.register(models.DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class AwardRuleInline(admin.TabularInline):
    model = models.AwardRule
    extra = 0


class DocumentRequirementInline(admin.TabularInline):
    model = models.DocumentRequirement
    extra = 0


class AwardVersionInline(admin.StackedInline):
    model = models.AwardVersion
    extra = 0
    show_change_link = True


@admin.register(models.Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "subject", "is_active")
    list_filter = ("kind", "subject", "is_active")
    search_fields = ("name", "name_en", "code")
    inlines = [AwardVersionInline]


@admin.register(models.AwardVersion)
class AwardVersionAdmin(admin.ModelAdmin):
    list_display = (
        "award",
        "effective_from",
        "effective_to",
        "deciding_level",
        "vote_threshold_percent",
        "threshold_rule",
    )
    list_filter = ("deciding_level", "threshold_rule", "requires_public_posting")
    search_fields = ("award__name",)
    inlines = [AwardRuleInline, DocumentRequirementInline]


@admin.register(models.PendingCase)
class PendingCaseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "person", "unit", "opened_on", "closed_on")
    list_filter = ("kind",)
    search_fields = ("reference", "person__full_name", "unit__name")
    raw_id_fields = ("person", "unit")


@admin.register(models.ServiceBreak)
class ServiceBreakAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "start", "end")
    list_filter = ("kind",)
    search_fields = ("person__full_name", "person__service_number")
    raw_id_fields = ("person",)


@admin.register(models.Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("title", "person", "level", "recognised_on")
    list_filter = ("level",)
    search_fields = ("title", "person__full_name")
    raw_id_fields = ("person",)


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "year",
        "start_date",
        "end_date",
        "submission_deadline",
        "is_open",
    )
    list_filter = ("kind", "year", "is_open")
    search_fields = ("name", "code")


@admin.register(models.BlocCriterion)
class BlocCriterionAdmin(admin.ModelAdmin):
    """A bloc's scoring criteria and weights for a year, from the bloc's own rules."""

    list_display = ("name", "bloc", "year", "weight", "max_score", "order")
    list_filter = ("bloc", "year")
    list_editable = ("weight", "max_score", "order")
    search_fields = ("name", "bloc__name")
    list_select_related = ("bloc",)


@admin.register(models.EmulationRegistration)
class EmulationRegistrationAdmin(admin.ModelAdmin):
    list_display = ("unit", "bloc", "year", "registered_on", "pledge_signed_on")
    list_filter = ("bloc", "year")
    search_fields = ("unit__short_name", "bloc__name")
    autocomplete_fields = ("unit",)


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Grants and revocations go through the role services, so permissions stay in step."""

    list_display = ("user", "role", "unit", "bloc", "council", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "unit__short_name")
    autocomplete_fields = ("user", "unit", "council")
    list_select_related = ("user", "unit", "bloc", "council")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = role_grant(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            unit=obj.unit,
            bloc=obj.bloc,
            council=obj.council,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        role_revoke(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "unit", "bloc", "council"):
            role_revoke(actor=request.user, assignment=assignment)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services: the admin may look, never change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "verb", "object_type", "object_id")
    list_filter = ("verb", "object_type")
    search_fields = ("object_id", "actor__username")


class NominationEventInline(admin.TabularInline):
    model = models.NominationEvent
    fields = ("created_at", "actor", "action", "from_stage", "to_stage", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = (
        "nominee_name",
        "award",
        "submitting_unit",
        "status",
        "stage_position",
        "due_date",
    )
    list_filter = ("status", "award", "campaign")
    search_fields = ("nominee_name", "submitting_unit__code")
    list_select_related = ("award", "submitting_unit")
    inlines = [NominationEventInline]


@admin.register(models.SubmissionLetter)
class SubmissionLetterAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "unit", "campaign", "created_at")
    search_fields = ("number", "title")
    list_select_related = ("unit", "campaign")


@admin.register(models.Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "subject", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)


@admin.register(models.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(models.AwardRecord)
class AwardRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "year",
        "award",
        "person",
        "unit",
        "decision_number",
        "decision_date",
        "authority",
    )
    list_filter = ("year", "award", "source")
    search_fields = ("person__full_name", "unit__name", "decision_number")
    list_select_related = ("award", "person", "unit")
