"""The REST API: the same selectors, permissions and services as the pages, over JSON."""
