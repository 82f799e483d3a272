"""What waits for a person's decision. Each capability registers a counter; the home page sums them.

The approval inbox itself arrives with the background-jobs issue; until then no app registers
a source and the count is zero.
"""

from collections.abc import Callable

_sources: list[Callable] = []


def register(count_for_user: Callable) -> Callable:
    _sources.append(count_for_user)
    return count_for_user


def pending_count(user) -> int:
    return sum(source(user) for source in _sources)
