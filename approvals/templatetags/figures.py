"""The dashboard's figures as links to the list, cheaply (`{% load figures %}`).

`{% figure f list_url %}` writes what the template wrote for each figure,

    <a class="figure" href="{{ list_url }}?{{ f.query }}" data-count="{{ f.count }}">
    {{ f.count|intcomma }}</a>   (on one line)

in one call: the secretariat's dashboard has about 600 of them (the week chart, the overdue
holders, the breakdowns), and resolving their variables and filters one by one in the
template was most of the page's rendering.
"""

from html import escape  # what django.utils.html.escape does, without its lazy-text check

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString

register = template.Library()


def grouped(count: int) -> str:
    """The count as humanize's intcomma shows it: thousands grouped the language's way (no
    number under a thousand has a separator to add)."""
    if -1000 < count < 1000:
        return str(count)
    return number_format(count, use_l10n=True, force_grouping=True)


@register.simple_tag
def figure(figure, list_url: str, css: str = "figure") -> str:
    """A figure's count, linked to the list of exactly those nominations."""
    count = figure.count
    # the URL, query and class are escaped; the rest are numbers
    return SafeString(
        f'<a class="{escape(css)}" href="{escape(str(list_url))}?{escape(figure.query)}" '
        f'data-count="{count}">{escape(grouped(count))}</a>'
    )
