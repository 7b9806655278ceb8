"""The API plumbing shared by every app: envelope, errors, pagination, per-action permissions,
OPTIONS metadata and OpenAPI helpers."""
