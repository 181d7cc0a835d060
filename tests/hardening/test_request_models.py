"""Every request model of the API and the pages bounds what it takes: each number between two
bounds (or a validator of its own), each list or mapping to a length (hardening items 7 and 10;
text is bounded by `frt.web.limits.Input` itself). Then the attacks through a page's form, where
a browser sends text for numbers: an ECHR article of 10^20 and a list of 10,000 choices are a
clear 4xx, never a server error.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing

import pytest
from pydantic import BaseModel

import frt.web.api
import frt.web.pages
import frt.web.schemas
from frt.governance.models import Application
from frt.web.limits import Input
from tests.hardening.test_input_validation import api, applicant  # noqa: F401 (fixtures)

pytestmark = pytest.mark.req("DATA-05")

BOUNDED_BELOW, BOUNDED_ABOVE = {"Ge", "Gt"}, {"Le", "Lt"}
COLLECTIONS = (list, set, tuple, dict)


def request_models() -> list[type[BaseModel]]:
    found: dict[type, None] = {}
    for package in (frt.web.api, frt.web.schemas, frt.web.pages):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Input) and value is not Input:
                    found[value] = None
    return list(found)


def _types(annotation) -> list:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def unbounded(model: type[BaseModel]) -> list[str]:
    validated = {
        field
        for decorator in model.__pydantic_decorators__.field_validators.values()
        for field in decorator.info.fields
    }
    problems = []
    for name, field in model.model_fields.items():
        kinds = {type(m).__name__ for m in field.metadata}
        for kind in _types(field.annotation):
            number = kind in (int, float)
            if number and not (kinds & BOUNDED_BELOW and kinds & BOUNDED_ABOVE):
                if name not in validated:
                    problems.append(f"{model.__name__}.{name}: a number without bounds")
            if typing.get_origin(kind) in COLLECTIONS and "MaxLen" not in kinds:
                problems.append(f"{model.__name__}.{name}: a list without a length bound")
    return problems


def test_every_request_model_bounds_its_numbers_and_lists():
    models = request_models()
    assert len(models) >= 30, "the walk found too few request models"
    problems = [p for model in models for p in unbounded(model)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_an_unbounded_number_and_list():  # the walk above can fail
    class Loose(Input):
        count: int
        picks: list[str] = []

    assert len(unbounded(Loose)) == 2


def _draft(api) -> str:
    created = api.post("/api/lfr/applications", json={"title": "Operation Form"})
    assert created.status_code == 200, created.text
    return created.json()["id"]


@pytest.mark.parametrize(
    "form",
    [
        {"title": "x", "echr_articles": ["8", "99999999999999999999"]},
        {"title": "x", "camera_count": "1" + "0" * 30},
        {"title": "x", "proposed_categories": ["wanted_by_courts"] * 10_000},
        {"title": "x", "echr_articles": [str(n) for n in range(2, 40)]},
    ],
)
def test_a_pages_form_past_its_bounds_is_a_clear_4xx(api, store, form):
    app_id = _draft(api)
    response = api.post(f"/lfr/applications/{app_id}/fields", data=form, follow_redirects=False)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    with store.session() as db:
        assert db.get(Application, app_id).title == "Operation Form"  # nothing was changed


def test_a_decision_with_more_reasons_than_headings_is_refused():
    from pydantic import ValidationError

    from frt.web.schemas.lfr_applications import DecisionIn

    with pytest.raises(ValidationError, match="reasons"):
        DecisionIn(outcome="reject", reasons={f"heading {n}": "x" for n in range(50)})
