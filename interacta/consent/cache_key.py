"""What a cached page depends on in the visitor's cookie choice (registered with core's
cache-key contributors in `consent.init_app`)."""

from __future__ import annotations

from interacta.consent import gate, registry


def signature() -> tuple:
    state = gate.state()
    previous = state.previous
    return (
        state.needs_asking,
        tuple(state.allows(c) for c in registry.OPTIONAL),
        state.gpc_signal,
        tuple(previous.allows(c) for c in registry.OPTIONAL) if previous else None,
        # The remembered preferences as read (None without consent), not the raw cookie:
        # a made-up cookie value cannot make new keys.
        tuple(gate.preference(k) for k in sorted(gate.PREFERENCE_KEYS)),
    )
