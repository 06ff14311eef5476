//! Random secrets and the hashes we keep of them.
//!
//! Console and screen links carry 160 random bits, join links and device
//! tokens 128. All come from `rand`'s thread generator, a CSPRNG seeded
//! from the operating system, which cannot fail once running.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random secret of `bytes` bytes, as lowercase hex.
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill(&mut buf);
    hex::encode(buf)
}

/// Fills `buf` with random bytes.
pub fn fill(buf: &mut [u8]) {
    rand::rng().fill_bytes(buf);
}

/// A random number.
pub fn random_u64() -> u64 {
    rand::rng().next_u64()
}

/// SHA-256 of a secret, as hex: what the database keeps instead of it.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A participant's identity within one gathering: the salted hash of their
/// device token. Two gatherings see unrelated values for the same phone.
pub fn author(salt: &[u8], device: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(device.as_bytes());
    hex::encode(h.finalize())
}
