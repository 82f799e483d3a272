"""``{% fragment %}``: a part of the page layout rendered once for everything it shows.

    {% fragment "project-nav" project.pk project.name role here %} ... {% endfragment %}

The body is rendered once per combination of the listed values, the active language and time zone, and served
from the cache after that. The values must name *everything* the body shows or decides on (people's names, counts,
permissions as computed booleans, the active tab): a fragment is then never stale, because any change gives
another key, and nothing needs invalidating. Keys are digests, so the values may be private.

CSRF fields inside the body stay per response: the body is rendered with a placeholder for the token, which
each response replaces with its own (masked) token.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

register = template.Library()

TIMEOUT = 10 * 60
CSRF_TOKEN_PLACEHOLDER = "csrftokenplaceholder0fragment"  # survives escaping: letters and digits only


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        values = [self.name.resolve(context), *(value.resolve(context) for value in self.vary_on)]
        digest = hashlib.sha256(repr((get_language(), get_current_timezone_name(), *map(str, values))).encode()).hexdigest()
        token = context.get("csrf_token")  # absent where nothing renders for a request (e-mails)
        key = f"fragment:{values[0]}:{token is not None}:{digest}"
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_TOKEN_PLACEHOLDER if token is not None else None):
                html = self.nodelist.render(context)
            cache.set(key, html, TIMEOUT)
        if token is not None and CSRF_TOKEN_PLACEHOLDER in html:  # only then: asking for the token sets the cookie
            html = html.replace(CSRF_TOKEN_PLACEHOLDER, str(token))
        return mark_safe(html)  # noqa: S308  (the template's own output, escaped when it was rendered)


@register.tag
def fragment(parser, token):
    """``{% fragment "name" value... %}`` body ``{% endfragment %}``"""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name, then the values its body depends on")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
