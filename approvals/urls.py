from django.urls import path

from approvals.views import (
    catalogue,
    dossiers,
    home,
    letters,
    nominations,
    notifications,
    organisation,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("units/", organisation.unit_list, name="unit_list"),
    path("people/", organisation.people_list, name="people_list"),
    path("people/<int:person_id>/", organisation.person_detail, name="person_detail"),
    path("blocs/", organisation.bloc_list, name="bloc_list"),
    path("blocs/<int:bloc_id>/", organisation.bloc_detail, name="bloc_detail"),
    path("councils/", organisation.council_list, name="council_list"),
    path("councils/<int:council_id>/", organisation.council_detail, name="council_detail"),
    path("awards/", catalogue.award_list, name="award_list"),
    path("campaigns/", catalogue.campaign_list, name="campaign_list"),
    path("inbox/", nominations.nomination_inbox, name="nomination_inbox"),
    path("nominations/", nominations.nomination_list, name="nomination_list"),
    path("nominations/new/", nominations.nomination_create, name="nomination_create"),
    path(
        "nominations/<int:nomination_id>/", nominations.nomination_detail, name="nomination_detail"
    ),
    path(
        "nominations/<int:nomination_id>/edit/", nominations.nomination_edit, name="nomination_edit"
    ),
    path("nominations/<int:nomination_id>/act/", nominations.nomination_act, name="nomination_act"),
    path(
        "nominations/<int:nomination_id>/vote-result/",
        nominations.nomination_vote,
        name="nomination_vote",
    ),
    path(
        "nominations/<int:nomination_id>/withdraw/",
        nominations.nomination_withdraw,
        name="nomination_withdraw",
    ),
    path(
        "nominations/<int:nomination_id>/claim/",
        nominations.nomination_claim,
        name="nomination_claim",
    ),
    path(
        "nominations/<int:nomination_id>/release/",
        nominations.nomination_release,
        name="nomination_release",
    ),
    path(
        "nominations/<int:nomination_id>/attachments/",
        dossiers.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "attachments/<int:attachment_id>/", dossiers.attachment_download, name="attachment_download"
    ),
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/new/", letters.letter_create, name="letter_create"),
    path("letters/<int:letter_id>/", letters.letter_detail, name="letter_detail"),
    path("letters/<int:letter_id>/act/", letters.letter_act, name="letter_act"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
]
