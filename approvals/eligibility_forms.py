"""The form choosing a unit, an award and a campaign for the "who could be nominated" page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.forms import UnitChoiceField, default_campaign
from approvals.models import Award, Campaign, Unit
from approvals.selectors.eligible_candidates import (
    candidate_awards,
    candidate_units_for,
    open_campaigns,
)


class EligibleCandidatesForm(forms.Form):
    unit = UnitChoiceField(Unit.objects.none(), label=_("Đơn vị"))
    award = forms.ModelChoiceField(
        Award.objects.none(), label=_("Danh hiệu, hình thức khen thưởng")
    )
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Đợt thi đua"))
    ineligible = forms.BooleanField(
        label=_("Hiện cả những trường hợp chưa đủ điều kiện"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = candidate_units_for(user)
        self.fields["unit"].queryset = units
        self.fields["award"].queryset = candidate_awards()
        self.fields["campaign"].queryset = open_campaigns()
        if not self.is_bound:
            self.fields["unit"].initial = units.first()
            self.fields["campaign"].initial = default_campaign()

    def refuses_unit(self) -> bool:
        """A unit was asked for that the user may not list (not merely a missing choice)."""
        return self.is_bound and self.has_error("unit", "invalid_choice")
