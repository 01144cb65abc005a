from django.urls import path

from approvals.views import catalogue, home, organisation

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
]
