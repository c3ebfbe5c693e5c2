"""Tenancy: projects, memberships with roles, project selection per request, headless bootstrap."""
