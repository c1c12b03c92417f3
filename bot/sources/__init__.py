"""Adapters that read the outside world: feeds and calendars over HTTP."""
