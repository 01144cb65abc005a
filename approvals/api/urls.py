"""/api/: the versioned endpoints under v1/, the OpenAPI schema and its documentation page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from approvals.api import views

app_name = "api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON, or the browsable API by Accept header
router.register("nominations", views.NominationViewSet, basename="nomination")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("decisions", views.DecisionViewSet, basename="decision")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/token/", obtain_auth_token, name="token"),
    path("v1/", include(router.urls)),
]
