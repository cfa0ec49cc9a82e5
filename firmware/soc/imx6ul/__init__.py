"""Drivers for the NXP i.MX6UL family."""
