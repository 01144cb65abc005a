from django.urls import path

from approvals.views import (
    bloc_reviews,
    catalogue,
    dashboard,
    decisions,
    dossiers,
    exports,
    home,
    jobs,
    letters,
    nominations,
    notifications,
    organisation,
    posting,
    registry,
    reports,
    voting,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("units/", organisation.unit_list, name="unit_list"),
    path("people/", organisation.people_list, name="people_list"),
    path("people/<int:person_id>/", organisation.person_detail, name="person_detail"),
    path("units/<int:unit_id>/awards/", registry.unit_awards, name="unit_awards"),
    path("registry/", registry.registry_list, name="registry_list"),
    path("registry/import/", registry.registry_import, name="registry_import"),
    path(
        "registry/import/template/",
        registry.registry_import_template,
        name="registry_import_template",
    ),
    path("blocs/", organisation.bloc_list, name="bloc_list"),
    path("blocs/<int:bloc_id>/", organisation.bloc_detail, name="bloc_detail"),
    path("bloc-reviews/", bloc_reviews.bloc_review_list, name="bloc_review_list"),
    path("bloc-reviews/new/", bloc_reviews.bloc_review_create, name="bloc_review_create"),
    path(
        "bloc-reviews/<int:review_id>/",
        bloc_reviews.bloc_review_detail,
        name="bloc_review_detail",
    ),
    path(
        "bloc-reviews/<int:review_id>/delegates/",
        bloc_reviews.bloc_review_delegates,
        name="bloc_review_delegates",
    ),
    path(
        "bloc-reviews/<int:review_id>/open-scoring/",
        bloc_reviews.bloc_review_open_scoring,
        name="bloc_review_open_scoring",
    ),
    path(
        "bloc-reviews/<int:review_id>/score/",
        bloc_reviews.bloc_review_score,
        name="bloc_review_score",
    ),
    path(
        "bloc-reviews/<int:review_id>/open-acclaim/",
        bloc_reviews.bloc_review_open_acclaim,
        name="bloc_review_open_acclaim",
    ),
    path(
        "bloc-reviews/<int:review_id>/ballot/",
        bloc_reviews.bloc_review_ballot,
        name="bloc_review_ballot",
    ),
    path(
        "bloc-reviews/<int:review_id>/close/",
        bloc_reviews.bloc_review_close,
        name="bloc_review_close",
    ),
    path(
        "bloc-reviews/<int:review_id>/decide/",
        bloc_reviews.bloc_review_decide,
        name="bloc_review_decide",
    ),
    path(
        "bloc-reviews/<int:review_id>/submit/",
        bloc_reviews.bloc_review_submit,
        name="bloc_review_submit",
    ),
    path(
        "bloc-reviews/<int:review_id>/minutes/",
        bloc_reviews.bloc_review_minutes,
        name="bloc_review_minutes",
    ),
    path("councils/", organisation.council_list, name="council_list"),
    path("councils/<int:council_id>/", organisation.council_detail, name="council_detail"),
    path("awards/", catalogue.award_list, name="award_list"),
    path("campaigns/", catalogue.campaign_list, name="campaign_list"),
    path("inbox/", nominations.nomination_inbox, name="nomination_inbox"),
    path("nominations/", nominations.nomination_list, name="nomination_list"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("nominations/export/", exports.nomination_export, name="nomination_export"),
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
    path(
        "nominations/<int:nomination_id>/achievement-report/",
        dossiers.achievement_report,
        name="achievement_report",
    ),
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/new/", letters.letter_create, name="letter_create"),
    path("letters/<int:letter_id>/", letters.letter_detail, name="letter_detail"),
    path("letters/<int:letter_id>/act/", letters.letter_act, name="letter_act"),
    path("posting/", posting.posting_list, name="posting_list"),
    path(
        "posting/<int:nomination_id>/objections/",
        posting.objection_create,
        name="objection_create",
    ),
    path(
        "objections/<int:objection_id>/answer/", posting.objection_answer, name="objection_answer"
    ),
    path("decisions/", decisions.decision_list, name="decision_list"),
    path("decisions/new/", decisions.decision_create, name="decision_create"),
    path("decisions/<int:decision_id>/", decisions.decision_detail, name="decision_detail"),
    path(
        "decisions/<int:decision_id>/documents/",
        decisions.decision_generate,
        name="decision_generate",
    ),
    path(
        "decisions/<int:decision_id>/correct/", decisions.decision_correct, name="decision_correct"
    ),
    path("letters/<int:letter_id>/document/", letters.letter_generate, name="letter_generate"),
    path("reports/", reports.report_yearly, name="report_yearly"),
    path("reports/statistics/", reports.report_statistics, name="report_statistics"),
    path("reports/export/", exports.report_export, name="report_export"),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/download/", jobs.job_download, name="job_download"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
    path("sessions/", voting.session_list, name="session_list"),
    path("sessions/new/", voting.session_create, name="session_create"),
    path("sessions/<int:session_id>/", voting.session_detail, name="session_detail"),
    path(
        "sessions/<int:session_id>/attendance/",
        voting.session_attendance,
        name="session_attendance",
    ),
    path("sessions/<int:session_id>/open/", voting.session_open, name="session_open"),
    path("sessions/<int:session_id>/close/", voting.session_close, name="session_close"),
    path("sessions/<int:session_id>/conclude/", voting.session_conclude, name="session_conclude"),
    path("sessions/<int:session_id>/ballot/", voting.session_ballot, name="session_ballot"),
    path("sessions/<int:session_id>/receipt/", voting.session_receipt, name="session_receipt"),
]
