"""Views of the accounts app: sign-in and settings (auth.py), vendor access (access_*.py, routed by access_urls.py)."""
