"""System checks of the product's own settings (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@register(Tags.security, deploy=True)
def site_url_check(app_configs, **kwargs) -> list[Warning]:
    """The links in e-mails start with SITE_URL: in production it must be the address users
    open, over HTTPS."""
    url = urlsplit(settings.SITE_URL)
    if url.hostname in LOCAL_HOSTS or url.hostname is None:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: the links in e-mails would not open "
                "for users.",
                hint="Set SITE_URL to the address users open, e.g. https://tdkt.example.vn.",
                id="approvals.W001",
            )
        ]
    if url.scheme != "https":
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: the links in e-mails are not HTTPS.",
                hint="Serve the product over HTTPS and start SITE_URL with https://.",
                id="approvals.W002",
            )
        ]
    return []
