"""Partner program billing: client and partner tiers, Stripe sync, AR invoices from time."""
