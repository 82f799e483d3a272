from django.conf import settings


def portal(request):
    """What every page needs: the CSP nonce under the name django-htmx reads, and the language menu."""
    return {
        # {% htmx_script %} reads `csp_nonce`; django-csp 4 sets request.csp_nonce (DESIGN.md §7).
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "PORTAL_LANGUAGES": [(code, name) for code, name in settings.LANGUAGES],
    }
