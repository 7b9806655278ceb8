"""The API plumbing shared by every app: envelope, errors, pagination, OpenAPI helpers."""
