from tests.drafts.conftest import _migrated_template, engine  # noqa: F401 - fast migrated DB
