"""The JSON Schema of ``drift --format json``, generated from the drift model like the plan's.

The differences and the revision compared with are the dataclasses of
:mod:`opconf.drift.model` (pydantic reads their fields); the envelope ``Drift.to_dict``
writes around them is described here. Every field is required, no other is allowed.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, create_model

from opconf.drift.model import CATEGORIES, FORMAT_VERSION, Difference, Since
from opconf.schema.plan_schema import _Closed, _Generator

DriftSummary = create_model(  # type: ignore[call-overload]
    "DriftSummary",
    __base__=_Closed,
    __doc__="How many differences of each category, and how many drift.ignore hid.",
    **{category: (int, ...) for category in (*CATEGORIES, "ignored")},
)


class DriftReport(_Closed):
    """What changed in the store outside opconf since the last apply, and what is pending."""

    format_version: Literal["1.0"]
    store: str = Field(description="the store, its password shown as ***")
    since: Since | None = Field(description="the last apply (null: nothing applied yet)")
    summary: DriftSummary
    differences: list[Difference]
    warnings: list[str] = Field(description="expired drift.ignore entries")


assert get_args(DriftReport.model_fields["format_version"].annotation) == (FORMAT_VERSION,)


def drift_schema() -> dict[str, Any]:
    """The drift report's JSON Schema body (``$schema`` and ``$id`` are added by the caller)."""
    body = DriftReport.model_json_schema(schema_generator=_Generator)
    return {**body, "title": "opconf drift"}
