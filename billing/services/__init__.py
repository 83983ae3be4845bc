"""Billing writes, one module per concern; each public function is one transaction."""
