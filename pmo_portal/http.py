"""Small request helpers shared by the views of every app."""

from django.core.paginator import Paginator
from django.utils.functional import LazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(url: str) -> bool:
    """A printable path on this site (never another host, a scheme, or a view name)."""
    return bool(url) and url.startswith("/") and url.isprintable() and url_has_allowed_host_and_scheme(url, allowed_hosts=None)  # fmt: skip


def safe_next(request, default: str | None = "/") -> str | None:
    """Where to go after a form: the `next` the page sent, if it is a path on this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target) else default


def paginate(request, items, per_page: int):
    """The page of `items` that `?page=` asks for (the last page when past the end, the first when bad)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def per_request(user, key: str, compute):
    """`compute()` once per request: the result is kept on the request's user object (the real one: views pass
    ``request.user``, lazy wrappers (one each from auth and django-otp), where permission checks get the user)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    if key not in user.__dict__:
        user.__dict__[key] = compute()
    return user.__dict__[key]
