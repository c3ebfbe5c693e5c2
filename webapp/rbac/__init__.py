"""Role-based access control: the role → permission registry and the DRF permission class."""
