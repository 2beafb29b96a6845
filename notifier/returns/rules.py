"""What a returned envelope means for the person: the pure rule, and the reason table.

Reasons are USPS endorsements (config/returns.toml); a "dead" one means nobody lives there
for us any more. A forwarding address that verifies earns another letter, until the notice
has used its attempts; then staff look the person up elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notifier.addresses.check import MAILABLE
from notifier.errors import ConfigError
from notifier.settings import load_toml


@dataclass(frozen=True)
class Reason:
    code: str
    endorsement: str
    dead: bool


@dataclass(frozen=True)
class ReturnPolicy:
    reasons: dict[str, Reason]
    max_attempts: int
    presumed_delivered_days: int
    acs_codes: dict[str, str] = field(default_factory=dict)  # ACS deliverability code -> reason
    acs_forwarding: frozenset[str] = frozenset()  # codes whose new address gets the next attempt


def load_policy(config_dir: Path) -> ReturnPolicy:
    path = config_dir / "returns.toml"
    data = load_toml(path)
    try:
        reasons = {code: Reason(code, r["endorsement"], bool(r["dead"])) for code, r in data["reasons"].items()}
        acs = data.get("acs", {})
        policy = ReturnPolicy(reasons, int(data["max_attempts"]), int(data["presumed_delivered_days"]),
                              dict(acs.get("codes", {})), frozenset(acs.get("forwarding_codes", ())))
    except KeyError as exc:
        raise ConfigError(f"missing {exc}", where=str(path), todo="see the shipped config/returns.toml") from None
    unknown = sorted({reason for reason in policy.acs_codes.values() if reason not in reasons})
    if unknown:
        raise ConfigError(f"[acs.codes] maps to reasons that [reasons] lacks: {', '.join(unknown)}", where=str(path),
                          todo="add them under [reasons] or map the codes to reasons it has")
    return policy


def outcome(*, dead: bool, forward_status: str | None, attempt: int, max_attempts: int) -> str:
    """remail | forward_needs_review | unreachable | dead_address | noted."""
    if attempt >= max_attempts:
        return "unreachable"
    if forward_status in MAILABLE:
        return "remail"
    if forward_status is not None:
        return "forward_needs_review"
    return "dead_address" if dead else "noted"
