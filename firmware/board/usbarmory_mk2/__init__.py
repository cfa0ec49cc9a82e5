"""Board support for the USB armory Mk II (i.MX6ULZ, console on UART2)."""
