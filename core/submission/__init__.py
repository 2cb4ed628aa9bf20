"""A county submission: the format (schema, rules, messages), validation, storage, review, status."""
