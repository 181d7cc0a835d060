"""Server-rendered pages (Jinja2 + HTMX): one router per area of work."""
