"""Who may do what: accounts and roles, the audit log, backup and restore."""
