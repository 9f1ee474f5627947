"""The public API of events, sites and shifts under `/api/v1/` (Django REST framework)."""
