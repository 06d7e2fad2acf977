"""Safety of records in the window: sign-in, the idle lock, backup and restore, the Audit tab."""
