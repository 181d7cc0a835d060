"""The web app: JSON REST API (OpenAPI at /api/openapi.json) and server-rendered pages.

`frt.web.app.create_app(store)` builds it; `frt.web.auth.require_role` guards every route;
`frt.web.panels.register_home_panel` adds a role's work list to the home page;
`frt.web.server.serve` runs it over HTTPS and `frt.web.certs.make_dev_certificate` makes a
development certificate. Imports stay lazy here so `import frt.web` pulls in nothing heavy.
"""
