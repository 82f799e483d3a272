"""Screenshot manuals: step-by-step instructions for people who follow the screen, picture by picture.

A ``Manual`` has environment ``Variant``s ("Windows 10", "Windows 11") and ``Step``s shared by all of them. A step
has a ``Screenshot`` for all environments (``variant`` empty) and one per environment where the screen differs;
each screenshot keeps every ``ScreenshotVersion`` and its annotations (shapes relative to the image, never burned
in). A new version of a screenshot that readers have already seen is compared with it by a background job; unless
nothing visible changed, it waits for someone to confirm it, and the manual can be neither published nor exported
until then. Publishing makes a numbered ``Edition``: a snapshot readers read and its PDF. Readers report
"my screen looks different" with a ``ScreenReport``. State changes live in ``manuals/services/``.
"""

from .manuals import (
    BLOCKING_STATES,
    INSTRUCTION_MAX_LENGTH,
    Band,
    Decision,
    Edition,
    Manual,
    ManualSettings,
    ManualStatus,
    ScreenReport,
    Screenshot,
    ScreenshotVersion,
    Step,
    Variant,
    VersionState,
    manual_changed,
)

__all__ = [
    "BLOCKING_STATES",
    "INSTRUCTION_MAX_LENGTH",
    "Band",
    "Decision",
    "Edition",
    "Manual",
    "ManualSettings",
    "ManualStatus",
    "ScreenReport",
    "Screenshot",
    "ScreenshotVersion",
    "Step",
    "Variant",
    "VersionState",
    "manual_changed",
]
