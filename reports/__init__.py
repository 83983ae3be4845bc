"""Financial statements as HTML, PDF and JSON, and expiring share links."""
