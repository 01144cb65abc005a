from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from approvals.login_throttle import ThrottledAuthenticationForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("approvals.api.urls")),
    path("", include("approvals.urls")),
]
