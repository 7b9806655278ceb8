"""``UNSET``: the default of a service's optional argument that the caller did not give.

``None`` is a real value for many columns (it clears them), so "not given" needs its own
marker: an omitted field keeps its stored value.
"""

from __future__ import annotations

import enum
from typing import Final


class Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = Unset.UNSET
