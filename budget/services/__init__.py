"""Every write to the budget. Each function runs in one transaction, checks who is
asking, validates, writes ledger entries and its audit event in that same transaction."""
