"""connector_emulators."""
