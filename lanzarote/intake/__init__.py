"""Readers of incoming reports: CyberTipline XML, native JSON, folders and zip bundles; validation; quarantine."""
