"""The public registry: Arrow loading, the in-memory index, filters, permalinks, the detail panel's text."""
