"""Practice management: client links, invitations, time entries, engagements and tasks."""
