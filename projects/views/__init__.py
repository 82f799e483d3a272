"""Views of the projects app: projects, members, the audit trail and sign-offs (projects.py); the dictionary
(dictionary.py: terms and approvals; dictionary_io.py: releases, import, export, text check, copying)."""
