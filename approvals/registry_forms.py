"""The historic import's upload form (the registry search is read from the query string)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RegistryImportForm(forms.Form):
    upload = forms.FileField(
        label=_("Tệp CSV hoặc XLSX"),
        required=False,  # empty: the file uploaded for the dry run is used again
    )
    action = forms.ChoiceField(
        choices=[("check", _("Kiểm tra (chạy thử)")), ("import", _("Nhập"))],
        initial="check",
        required=False,  # Enter in the form submits without a button: a dry run
    )

    @property
    def dry_run(self) -> bool:
        return self.cleaned_data.get("action") != "import"
