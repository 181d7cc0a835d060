"""Request and response models of the LFR web layer, one module per resource.

Each model is declared once and read both by the JSON API (`frt.web.api.lfr_*`, as a JSON body)
and by the pages (`frt.web.pages.governance*`, as a form: `Annotated[Model, Form()]`), so a field,
its type and its bound live in one place. Neither side imports the other: both import these.
"""
