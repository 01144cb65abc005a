"""Route editing in the admin: drafts are edited and validated, published versions are frozen."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from workflows.models import Route, RouteVersion, Stage, VersionStatus
from workflows.routes import route_version_draft, route_version_publish, stage_problems


class StageFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda stage: stage.position or 0)
        problems = stage_problems(kept)
        if problems:
            raise ValidationError(problems)


class StageInline(admin.TabularInline):
    model = Stage
    formset = StageFormSet
    extra = 0
    fields = ("position", "level", "kind", "acting_role", "time_limit_working_days", "settings")

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class RouteVersionInline(admin.TabularInline):
    model = RouteVersion
    fields = ("number", "status", "note", "published_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "award", "campaign")
    list_filter = ("award", "campaign")
    search_fields = ("name", "code", "award__name")
    inlines = [RouteVersionInline]
    actions = ["new_draft"]

    @admin.action(description=_("Tạo bản nháp mới từ phiên bản đang áp dụng"))
    def new_draft(self, request, queryset):
        for route in queryset:
            version = route_version_draft(actor=request.user, route=route)
            self.message_user(request, _("Đã tạo %(version)s.") % {"version": version})


@admin.register(RouteVersion)
class RouteVersionAdmin(admin.ModelAdmin):
    list_display = ("route", "number", "status", "published_at")
    list_filter = ("status", "route")
    inlines = [StageInline]
    actions = ["publish"]
    readonly_fields = ("number", "status", "published_at", "published_by")

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            top = RouteVersion.objects.filter(route=obj.route).aggregate(top=Max("number"))["top"]
            obj.number = (top or 0) + 1
            obj.status = VersionStatus.DRAFT
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Ban hành (áp dụng cho các đề nghị lập sau)"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                route_version_publish(actor=request.user, version=version)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"{version}: {message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã ban hành %(version)s.") % {"version": version})
