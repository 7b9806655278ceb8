"""Golden responses that freeze the HTTP contract (README.md in this folder)."""

import pytest

# Failed comparisons in the helper module show a diff, as in a test module.
pytest.register_assert_rewrite("tests.contract.golden")
