"""The text of one benchmark document: realistic YAML, valid against schemas and rules.

Every function takes a seeded :class:`random.Random` and returns the file's text, so the
corpus is reproducible. The documents look like hand-written ones: a schema modeline,
comments, folded (``>-``) descriptions, block and flow styles mixed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# --- reference data (written to opconf.refs.yaml) ------------------------------------------

FIRST = (
    "Alice", "Bhavin", "Chloe", "Daniel", "Elena", "Fiona", "Georg", "Hiroshi", "Ifeoma", "Jens",
    "Keisha", "Luca",
)  # fmt: skip
LAST = (
    "Jones", "Patel", "Nguyen", "Kim", "Garcia", "Walsh", "Mueller", "Sato", "Okafor", "Larsen",
    "Brown", "Rossi", "Chen", "White", "Peters", "Dubois", "Adams", "Singh", "Vargas", "Morgan",
    "Wilson", "Lopez", "Baker", "Zhang", "Ahmed", "Novak", "Ortiz",
)  # fmt: skip
UNIQUE_ROLES = ("lead_advisor", "relationship_manager", "trust_officer")
SHARED_ROLES = (
    "advisor", "client_associate", "compliance_reviewer", "credit_analyst", "estate_planner",
    "insurance_specialist", "loan_officer", "portfolio_manager", "treasury_specialist",
    "underwriter",
)  # fmt: skip
PRODUCT_TYPES = {
    "annuity": ("Fixed Annuity", "contract", "AN"),
    "brokerage": ("Brokerage Account", "account", "BR"),
    "credit_card": ("Rewards Credit Card", "account", "CC"),
    "deposit": ("Business Checking", "account", "DP"),
    "disability_insurance": ("Disability Cover", "policy", "DI"),
    "education_savings": ("College Savings Plan", "plan", "ED"),
    "home_equity": ("Home Equity Line", "line", "HE"),
    "life_insurance": ("Term Life", "policy", "LI"),
    "managed_account": ("Managed Portfolio", "account", "MA"),
    "mortgage": ("Fixed Rate Mortgage", "loan", "MO"),
    "trust_services": ("Trust Administration", "account", "TR"),
}


@dataclass(frozen=True)
class User:
    login: str
    display: str


def users(count: int) -> list[User]:
    """``count`` distinct CRM users (logins like ``ajones7``)."""
    out = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        series = i // (len(FIRST) * len(LAST))
        login = f"{first[0].lower()}{last.lower()}{series or ''}"
        out.append(User(login, f"{first} {last}"))
    return out


# --- free text ---------------------------------------------------------------------------------

SENTENCES = (
    "Sold to clients who want a long-term relationship rather than a single transaction.",
    "Pricing is reviewed every quarter by the product committee and published internally.",
    "Advisors must confirm suitability before the first meeting with the client.",
    "Replaces the legacy offering that was retired after the core banking migration.",
    "Available in every region except where local regulation requires a separate entity.",
    "The operations team owns fulfilment; the front office owns the client conversation.",
    "Minimum balances apply; waivers need approval from the regional sales director.",
    "Compliance asks for the signed disclosure to be stored with the opportunity.",
    "Typical cycle is four to six weeks from first contact to funded account.",
    "Cross-sell target for households with more than one product relationship.",
)  # fmt: skip
COMMENTS = (
    "Agreed with the product committee; change only through a reviewed pull request.",
    "Finance reports on this field monthly, so keep it exact.",
    "Kept for reporting continuity even though the CRM label changed.",
    "See the sales playbook for the reasoning behind this ordering.",
    "Regional teams asked for this explicitly during the last review.",
)  # fmt: skip


def folded(rng: random.Random, key: str, indent: str, sentences: int) -> str:
    """A ``key: >-`` folded scalar of a few sentences, wrapped near 80 columns."""
    words = " ".join(rng.sample(SENTENCES, sentences)).split()
    lines, line = [], ""
    for word in words:
        if line and len(indent) + 2 + len(line) + len(word) > 88:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    lines.append(line)
    body = "".join(f"{indent}  {text}\n" for text in lines)
    return f"{indent}{key}: >-\n{body}"


def comment(rng: random.Random, indent: str = "") -> str:
    return f"{indent}# {rng.choice(COMMENTS)}\n"


def header(kind: str, schema: str) -> str:
    return (
        f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json\n"
        f"apiVersion: opconf/v1\nkind: {kind}\n"
    )


# --- products ------------------------------------------------------------------------------


def product_key(index: int, type_code: str) -> str:
    return f"{type_code}_{index:06d}"


def product_type(index: int) -> str:
    codes = sorted(PRODUCT_TYPES)
    return codes[index % len(codes)]


def product_active(index: int) -> bool:
    """Every 40th product is retired (templates never sell it: that would be a warning)."""
    return index % 40 != 39


def product(rng: random.Random, index: int) -> str:
    code = product_type(index)
    label, unit, prefix = PRODUCT_TYPES[code]
    key = product_key(index, code)
    text = header("Product", "product") + f"key: {key}\nname: {label} {index:06d}\n"
    if index % 20 == 3:
        text += f"previousKeys: [legacy_{key}]\n"
    text += folded(rng, "description", "", 3) + f"type: {code}\n"
    if not product_active(index):
        text += "# Retired: no new sales, kept for open opportunities.\nactive: false\n"
    text += comment(rng) + f"listPrice: {rng.randrange(0, 500_000) / 100:.2f}\n"
    if rng.random() < 0.5:
        text += comment(rng)
    return text + f"code: WM-{prefix}-{index:06d}\nunitOfMeasure: {unit}\n"


# --- coverage groups ----------------------------------------------------------------------------

REGIONS = ("east", "west", "north", "south", "central", "metro", "coastal", "mountain")
TEAMS = ("wealth", "insurance", "lending", "commercial", "private_client", "retirement")
MEMBERS = 20


def group_key(index: int) -> str:
    return f"{TEAMS[index % len(TEAMS)]}_{REGIONS[index // len(TEAMS) % len(REGIONS)]}_{index:05d}"


def group(rng: random.Random, index: int, pool: Sequence[User]) -> str:
    key = group_key(index)
    title = key.rsplit("_", 1)[0].replace("_", " ").title()
    text = header("CoverageGroup", "coverage-group") + f"key: {key}\n"
    text += f"name: {title} Team {index:05d}\n" + folded(rng, "description", "", 1)
    text += f"visibility: {'private' if index % 7 == 0 else 'public'}\nmembers:\n"
    text += "  # One lead advisor per group: lead_advisor is a unique role.\n"
    for i, user in enumerate(rng.sample(pool, MEMBERS)):
        role = UNIQUE_ROLES[0] if i == 0 else rng.choice(SHARED_ROLES)
        text += f"  - user: {user.login}\n    role: {role}\n"
    return text


# --- opportunity templates ---------------------------------------------------------------------

OPEN_STAGES = (
    ("prospect", "Prospect"), ("qualify", "Qualify"), ("discovery", "Discovery"),
    ("needs_analysis", "Needs Analysis"), ("proposal", "Proposal"),
    ("underwriting", "Underwriting"), ("negotiation", "Negotiation"),
    ("onboarding", "Onboarding"),
)  # fmt: skip
STEPS = (
    ("intro_call", "Introductory call", "call"), ("kyc", "Complete KYC", "document"),
    ("fact_find", "Fact find meeting", "meeting"), ("risk_profile", "Risk profile", "document"),
    ("credit_check", "Credit check", "task"), ("proposal_doc", "Written proposal", "document"),
    ("pricing", "Pricing review", "task"), ("follow_up", "Follow-up call", "call"),
    ("review_meeting", "Review meeting", "meeting"), ("sign_off", "Compliance sign-off", "task"),
    ("account_setup", "Account setup", "task"), ("welcome_pack", "Welcome pack", "document"),
)  # fmt: skip
PROBABILITIES = (5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90)
STEPS_PER_STAGE = 4


def template_key(index: int) -> str:
    return f"pipeline_{index:06d}"


def _assignee(rng: random.Random, kind: str, pool: Sequence[User]) -> str | None:
    roll = rng.random()
    if roll < 0.5:
        return None
    if roll < 0.6:
        return "owner"
    if roll < 0.85 and kind != "document":  # a document step cannot be assigned by role
        return f"{{role: {rng.choice(SHARED_ROLES)}}}"
    return f"{{user: {rng.choice(pool).login}}}"


def step(rng: random.Random, stage: str, spec: tuple[str, str, str], pool: Sequence[User]) -> str:
    name, label, kind = spec
    fields = [f"key: {stage}_{name}", f"name: {label}", f"type: {kind}"]
    if rng.random() < 0.3:
        fields.append("required: true")
    if rng.random() < 0.8:
        fields.append(f"dueDays: {rng.randrange(1, 30)}")
    assignee = _assignee(rng, kind, pool)
    if assignee:
        fields.append(f"assignee: {assignee}")
    if rng.random() < 0.5:
        return f"      - {{{', '.join(fields)}}}\n"
    return "      - " + "        ".join(f"{f}\n" for f in fields)


def stage(
    rng: random.Random, key: str, name: str, probability: int, outcome: str, pool: Sequence[User]
) -> str:
    text = f"  - key: {key}\n    name: {name}\n    probability: {probability}\n"
    if outcome != "open":
        text += f"    outcome: {outcome}\n"
    if rng.random() < 0.3:
        text += folded(rng, "guidance", "    ", 1)
    text += "    steps:\n"
    if rng.random() < 0.3:
        text += comment(rng, "      ")
    for spec in rng.sample(STEPS, STEPS_PER_STAGE):
        text += step(rng, key, spec, pool)
    return text


def stages(rng: random.Random, pool: Sequence[User]) -> str:
    picks = sorted(rng.sample(range(len(OPEN_STAGES)), 4))
    odds = sorted(rng.sample(PROBABILITIES, 4))
    text = "stages:\n"
    for pick, probability in zip(picks, odds, strict=True):
        key, name = OPEN_STAGES[pick]
        text += stage(rng, key, name, probability, "open", pool)
    text += "  # Closed stages last: won at 100 %, lost at 0 %.\n"
    text += stage(rng, "won", "Closed Won", 100, "won", pool)
    return text + stage(rng, "lost", "Closed Lost", 0, "lost", pool)


def template(
    rng: random.Random,
    index: int,
    products: Sequence[str],
    groups: Sequence[str],
    pool: Sequence[User],
) -> str:
    text = header("OpportunityTemplate", "opportunity-template")
    text += f"key: {template_key(index)}\nname: Sales Pipeline {index:06d}\n"
    text += folded(rng, "description", "", 2)
    text += f"category: {rng.choice(('product', 'parent'))}\n"
    text += f"entityType: {rng.choice(('contact', 'company', 'household'))}\n"
    if groups:
        text += f"defaultCoverageGroup: {rng.choice(groups)}\n"
    sold = rng.sample(products, min(len(products), rng.randrange(1, 4)))
    text += f"products: [{', '.join(sold)}]\n" if sold else ""
    return text + stages(rng, pool)
