"""One drift statistic per module; each registers a `StatTest` with the drift registry on import."""
