"""Integrations that instrument other libraries' model calls (import the one you use, e.g.
`from pyflare.integrations.sklearn import instrument`)."""
