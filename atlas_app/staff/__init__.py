"""Staff: accounts and sign-in, and the audited edits."""
