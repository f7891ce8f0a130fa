"""Research: numbers, charts, exports and the notebook API."""
