"""Audit reports: the evidence a security review signs off on (docs/audit.md)."""
