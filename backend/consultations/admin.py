"""Administration of consultations, with their phases and roles inline."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.consultations.domain import PhaseSpec, plan_problems
from backend.consultations.models import Consultation, ConsultationRole, Phase, Theme
from backend.consultations.services import plan_problem_message


class ConsultationAdminForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label=_("themes"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Consultation
        fields = [
            "title",
            "slug",
            "territory",
            "themes",
            "status",
            "description",
            "summary_easy_read",
        ]


class PhaseInlineFormSet(forms.BaseInlineFormSet):
    """Checks the whole plan with the domain rules, so an overlap is a form error, not a
    database error at commit."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("starts_at")
            and form.cleaned_data.get("ends_at")
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("position") or 0)
        specs = [
            PhaseSpec(
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
            for form in kept
        ]
        problems = plan_problems(specs)
        if problems:
            raise ValidationError(
                [
                    _("Phase %(position)s: %(problem)s")
                    % {
                        "position": kept[problem.index].cleaned_data.get("position"),
                        "problem": plan_problem_message(problem.code),
                    }
                    for problem in problems
                ]
            )


class PhaseInline(admin.TabularInline):
    model = Phase
    formset = PhaseInlineFormSet
    extra = 0
    ordering = ["position"]
    fields = ["position", "kind", "title", "starts_at", "ends_at"]


class ConsultationRoleInline(admin.TabularInline):
    model = ConsultationRole
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    form = ConsultationAdminForm
    list_display = ["title", "territory", "status", "published_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    list_select_related = ["territory"]
    raw_id_fields = ["territory"]
    readonly_fields = ["replicated_from", "created_by", "created_at", "updated_at", "published_at"]
    date_hierarchy = "created_at"
    inlines = [PhaseInline, ConsultationRoleInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "territory", "themes", "status"]}),
        (_("Texts"), {"fields": ["description", "summary_easy_read"]}),
        (
            _("History"),
            {
                "fields": [
                    "replicated_from",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "published_at",
                ]
            },
        ),
    ]
