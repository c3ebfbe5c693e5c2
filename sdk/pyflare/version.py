"""Version of the PyFlare SDK distribution.

Read by setuptools at build time and reported as the `telemetry.distro.version` resource attribute.
"""

__version__ = "0.1.0"
