"""Every state change of a screenshot manual: one function each (DESIGN.md §4).

PMO staff write the manual: environments, steps, screenshots and their annotations. A new picture of a screenshot
readers have already seen is compared with it in the background (:func:`screenshot_compare`); unless nothing
visible changed it waits for the reviewer's confirmation, and until then the manual is neither published nor
exported. Publishing keeps an edition (what readers read), with its change log and its PDF. Readers report a
screen that looks different; the PMO resolves the report.
"""

from .common import COMPARE_MAX_ATTEMPTS, lock_manual, require_pmo
from .manuals import (
    blocking_versions,
    change_log,
    manual_create,
    manual_mark_reviewed,
    manual_publish,
    manual_settings_update,
    manual_submit,
    manual_update,
    preview_snapshot,
    publish_blockers,
    step_add,
    step_delete,
    step_duplicate,
    step_move,
    step_update,
    steps_reorder,
    variant_add,
    variant_delete,
)
from .reports import report_create, report_resolve
from .screenshots import (
    confirmers,
    screenshot_annotate,
    screenshot_compare,
    screenshot_compare_failed,
    screenshot_compare_sweep,
    screenshot_delete,
    screenshot_upload,
    version_confirm,
    version_reject,
)

__all__ = [
    "COMPARE_MAX_ATTEMPTS", "blocking_versions", "change_log", "confirmers", "lock_manual", "manual_create",
    "manual_mark_reviewed", "manual_publish", "manual_settings_update", "manual_submit", "manual_update",
    "preview_snapshot", "publish_blockers", "report_create", "report_resolve", "require_pmo", "screenshot_annotate",
    "screenshot_compare", "screenshot_compare_failed", "screenshot_compare_sweep", "screenshot_delete",
    "screenshot_upload", "step_add", "step_delete", "step_duplicate", "step_move", "step_update", "steps_reorder",
    "variant_add", "variant_delete", "version_confirm", "version_reject",
]  # fmt: skip
