"""Views of the RFP app: document.py (the RFP, its sections, the review), catalogue.py (requirements, criteria), lifecycle.py (submit, issue, versions), vendors.py, evaluation.py, library.py."""
