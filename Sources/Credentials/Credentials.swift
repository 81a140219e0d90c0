// MARK: - The Credentials target
//
// The cryptography of accounts, written by hand (no packages, and Foundation on Linux has no
// CryptoKit): SHA-256, HMAC-SHA-256, PBKDF2-HMAC-SHA-256, constant-time comparison, the kernel's
// random bytes, base64, the stored password hash format and session tokens. Each part is checked
// against its published test vectors. Knows nothing of users or HTTP.
