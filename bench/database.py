"""Create (or reuse) the benchmark database on the server of ``DATABASE_URL``.

Without ``--keep`` the database is a throw-away ``test_<name>_<pid>`` made by the migrations
and dropped at the end (like the test suite's). With ``--keep`` it is ``bench_<name>_s<scale>``,
kept after the run and reused by the next run of the same scale when its data set is complete
(a half-filled one, from an interrupted run, is dropped and made again).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from bench import dataset


def scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "_").replace("-", "m")


class BenchDatabase:
    """The database the benchmark fills and the web tier serves."""

    def __init__(self, *, scale: float, keep: bool) -> None:
        from django.conf import settings

        self.keep = keep
        self.sizes = dataset.Sizes.for_scale(scale)
        if keep:
            base = settings.DATABASES["default"]["NAME"]
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
                f"bench_{base}_s{scale_tag(scale)}"
            )
        self._old_name: str | None = None

    def open(self, *, echo: Callable[[str], None] = print) -> dataset.Generation:
        """Create or reuse the database; generate the data set when it is not there yet."""
        from django.db import connection

        self._old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=self.keep
        )
        if self.keep and dataset.is_complete(self.sizes):
            echo(f"reusing the data set in database {self.name} (--keep)")
            return dataset.Generation(self.sizes, reused=True)
        if self.keep and self._has_rows():
            echo(f"database {self.name} holds an unfinished data set: making it again")
            connection.creation.destroy_test_db(self._old_name, verbosity=0, keepdb=False)
            self._old_name = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=True
            )
        echo(f"generating the data set in database {self.name}")
        return dataset.generate(self.sizes, echo=echo)

    def close(self) -> None:
        from django.db import connection

        if self._old_name is None:
            return
        connection.close()
        connection.creation.destroy_test_db(self._old_name, verbosity=0, keepdb=self.keep)
        self._old_name = None

    @property
    def name(self) -> str:
        from django.db import connection

        return str(connection.settings_dict["NAME"])

    def url(self) -> str:
        """A ``postgres://`` URL of this database, for the web and Kafka subprocesses."""
        from django.db import connection

        params = connection.settings_dict
        user = quote(params.get("USER") or "")
        password = quote(params.get("PASSWORD") or "")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = params.get("HOST") or "127.0.0.1"
        return f"postgres://{credentials}{host}:{params.get('PORT') or 5432}/{params['NAME']}"

    def _has_rows(self) -> bool:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM workflow_service.agents)")
            row = cursor.fetchone()
        return bool(row and row[0])
