"""JSON Schemas: generated from the models (``opconf schema``), loaded for validation."""
