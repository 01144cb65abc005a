"""The nomination import's form: the letter to open (unit, campaign, title) and the file."""

from approvals.forms import LetterForm
from approvals.registry_forms import RegistryImportForm


class NominationImportForm(LetterForm, RegistryImportForm):
    """The letter's unit (among those the user prepares for), an open campaign and a title,
    with the upload and the dry-run or import button of the registry import."""

    field_order = ["unit", "campaign", "title", "upload", "action"]
