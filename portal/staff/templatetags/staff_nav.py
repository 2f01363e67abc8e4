"""``{% staff_nav %}``: base.html shows the staff workspace's navigation on its pages."""

from django import template

from portal.staff.navigation import staff_links

register = template.Library()


@register.inclusion_tag("staff/_nav.html", takes_context=True)
def staff_nav(context) -> dict:
    request = context.get("request")
    if request is None:
        return {"links": []}
    return {"links": staff_links(path=request.path, user=request.user)}
