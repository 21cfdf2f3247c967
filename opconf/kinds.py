"""The document kinds and their schema files: plain constants, importable without pydantic
(validation runs on the generated JSON Schemas, not on the models)."""

from __future__ import annotations

API_VERSION = "opconf/v1"
KINDS = ("Product", "CoverageGroup", "OpportunityTemplate")
# File stem of each kind's schema under schemas/.
SCHEMA_NAMES = {
    "Product": "product",
    "CoverageGroup": "coverage-group",
    "OpportunityTemplate": "opportunity-template",
}
# Schema stems of opconf's own files, checked like documents (models: opconf/project_models.py).
PROJECT_SCHEMA = "opconf-project"
REFS_SCHEMA = "opconf-refs"
MAPPING_SCHEMA = "opconf-mapping"  # model: opconf/store/mapping_model.py
