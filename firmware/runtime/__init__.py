"""Firmware runtime: console output, panic hook, orderly stop."""
