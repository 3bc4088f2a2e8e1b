"""Installing our patches to Rasa itself, each only where it was written for.

A patch replaces one attribute of a Rasa module or class. It is refused, with a warning that says
why, when Rasa is not a version it was written for, when what it replaces is missing, or when the
stock code it was written against has changed (a hash of that code's source: most of our
replacements copy part of it). Rasa then runs its own code for that patch, only slower.

Nothing is patched on import: ``install`` is called by the launcher (``python -m rasa_plugins``)
and by the tests that compare our patches with stock Rasa. docs/speedups.md lists the patches.

    >>> from rasa_plugins import patches, speedups
    >>> patches.install(speedups.PATCHES)   # doctest: +SKIP
    ['validated_responses', 'event_types', 'applied_events', 'sequential_runner', 'kept_sessions']
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rasa

logger = logging.getLogger(__name__)

RASA_VERSIONS = ("3.6.21",)  # the versions every patch was written and measured against


def source_hash(code: Any) -> str:
    """The first 16 hex digits of the SHA-256 of a function's or class's source."""
    return hashlib.sha256(inspect.getsource(code).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Patch:
    name: str
    owner: Any  # the module or class that holds the attribute
    attribute: str
    replacement: Any
    stock_hash: str  # source_hash of the stock attribute it was written against
    what: str  # what it does, in one line (docs/speedups.md says what it saves and when to remove it)

    def refusal(self) -> str | None:
        """Why this patch may not be installed here, or None."""
        if rasa.__version__ not in RASA_VERSIONS:
            return f"Rasa {rasa.__version__} is not one it was written for ({', '.join(RASA_VERSIONS)})"
        if not hasattr(self.owner, self.attribute):
            return f"{_name(self.owner)}.{self.attribute} no longer exists"
        if self.installed():
            return None
        try:
            found = source_hash(getattr(self.owner, self.attribute))
        except (OSError, TypeError):
            return f"the source of {_name(self.owner)}.{self.attribute} cannot be read"
        if found != self.stock_hash:
            return f"{_name(self.owner)}.{self.attribute} has changed (source hash {found}, not {self.stock_hash})"
        return None

    def installed(self) -> bool:
        # getattr_static: a staticmethod replacement is found as itself, not as the function it wraps
        return inspect.getattr_static(self.owner, self.attribute, None) is self.replacement

    def install(self) -> None:
        setattr(self.owner, self.attribute, self.replacement)


def _name(owner: Any) -> str:
    return str(getattr(owner, "__qualname__", None) or getattr(owner, "__name__", owner))


def install(patches: Iterable[Patch]) -> list[str]:
    """Install every patch that may be; the names of those installed (now or before)."""
    installed, refused = [], []
    for patch in patches:
        reason = patch.refusal()
        if reason:
            refused.append(patch.name)
            message = "Not installing the Rasa patch %r (%s): %s. Rasa's own code runs instead."
            logger.warning(message, patch.name, patch.what, reason)
            continue
        if not patch.installed():
            patch.install()
        installed.append(patch.name)
    refusals = f"; refused: {', '.join(refused)}" if refused else ""
    logger.info("Rasa patches installed: %s%s", ", ".join(installed) or "none", refusals)
    return installed
