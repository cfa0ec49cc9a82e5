"""Board support for the NXP MCIMX6UL-EVK (console on UART1)."""
