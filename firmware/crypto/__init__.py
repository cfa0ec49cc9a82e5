"""Software cryptography: SHA-256 and HMAC-SHA256, proven free of run-time errors."""
