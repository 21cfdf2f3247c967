"""The rule catalogue: every diagnostic code, its title and the layer it belongs to.

docs/rules.md documents each code; a test keeps the two in step.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # Layer 1: reading and parsing
    "OPC000": "file cannot be read",
    "OPC001": "file is not valid UTF-8",
    "OPC002": "YAML syntax error",
    "OPC003": "duplicate mapping key",
    "OPC004": "unsupported YAML tag",
    "OPC005": "alias expansion over budget, or recursive alias",
    "OPC006": "file over the size cap",
    "OPC007": "document is not a mapping",
    "OPC008": "nesting too deep",
    "OPC009": "mapping key is not a plain string",
    "OPC010": "missing or unsupported apiVersion",
    "OPC011": "missing or unknown kind",
    "OPC012": "more than one document in opconf.yaml or opconf.refs.yaml",
    # Layer 2: JSON Schema
    "OPC101": "missing required field",
    "OPC102": "unknown field",
    "OPC103": "wrong type",
    "OPC104": "value not allowed",
    "OPC105": "value does not match the required pattern",
    "OPC106": "number out of range",
    "OPC107": "text too short or too long",
    "OPC108": "too few or too many items",
    "OPC109": "other schema violation",
    # Layer 3: semantic rules
    "OPC201": "duplicate key",
    "OPC202": "duplicate name (ignoring case)",
    "OPC203": "duplicate product code",
    "OPC204": "keys equal ignoring case",
    "OPC210": "unknown product",
    "OPC211": "unknown coverage group",
    "OPC212": "active template sells an inactive product",
    "OPC213": "product listed twice in a template",
    "OPC220": "duplicate stage key in a template",
    "OPC221": "duplicate step key in a template",
    "OPC222": "no won stage",
    "OPC223": "no lost stage",
    "OPC224": "open stage after a closed stage",
    "OPC225": "first stage is not open",
    "OPC226": "won stage probability is not 100",
    "OPC227": "lost stage probability is not 0",
    "OPC228": "open-stage probability decreases",
    "OPC229": "document step assigned by role",
    "OPC230": "previous key is still a live key",
    "OPC231": "previous key claimed twice",
    "OPC232": "replaced stage is still a live stage",
    "OPC233": "replaced stage claimed twice",
    "OPC240": "user listed twice in a coverage group",
    "OPC241": "unique coverage role held by more than one member",
    "OPC250": "unknown user",
    "OPC251": "inactive user",
    "OPC252": "unknown coverage role",
    "OPC253": "unknown product type",
    "OPC280": "defaultTarget is not one of the targets",
    "OPC281": "freeze window schedule is not valid cron",
    "OPC282": "freeze window time zone is unknown",
    "OPC283": "freeze window start or end is invalid",
    "OPC284": "freeze window is incomplete",
    "OPC285": "drift.ignore entry is invalid",
    "OPC286": "rules or waivers entry is invalid",
    "OPC287": "waiver expired",
    "OPC288": "waiver waives nothing",
    "OPC289": "freeze window scope names no known kind",
    "OPC290": "reference checks skipped (no snapshot)",
}

# The plan's own errors (never validate's): they compare the configuration with the live store
# and protect data only the store holds, so no setting or waiver turns them off.
PLAN_CODES: dict[str, str] = {
    "OPC301": "delete of what opportunities reference",
    "OPC302": "removed stage holds open opportunities",
    "OPC303": "coverage group visibility changed",
    "OPC304": "delete of what a template still uses",
    "OPC305": "product code held by another row of the store",
    "OPC306": "renamed key held by another row of the store",
    "OPC307": "rollback to a template that uses an object gone since",
    "OPC308": "partial plan leaves out what a selected template needs",
}

# Rules that judge the business sense of a configuration, not data the store needs: a project
# may change their severity (``rules:``) or waive them for named objects (``waivers:``).
ADJUSTABLE = frozenset(
    {
        "OPC202",
        "OPC212",
        *(f"OPC{n}" for n in range(222, 230)),
        "OPC241",
        "OPC251",
    }
)
# Checked against reference data: offline only with opconf.refs.yaml, live by the plan.
REFERENCE_RULES = frozenset({"OPC241", "OPC250", "OPC251", "OPC252", "OPC253"})

DOCS_URL = "https://github.com/opconf/opconf/blob/main/docs/rules.md"


def help_uri(code: str) -> str:
    return f"{DOCS_URL}#{code.lower()}"
