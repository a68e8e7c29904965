"""Reports: the JSON document (the contract) and renderers that read only that document."""
