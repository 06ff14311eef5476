//! Random secrets and the hashes we keep of them.
//!
//! Console and screen links carry 160 random bits, join links and device
//! tokens 128. All come from `rand`'s thread generator, a CSPRNG seeded
//! from the operating system, which cannot fail once running.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random secret of `bytes` bytes, as lowercase hex.
pub fn token(bytes: usize) -> String {
    token_from(&mut rand::rng(), bytes)
}

/// A random secret of `bytes` bytes from `rng`, as lowercase hex: for the
/// room's rules, which take their randomness as an input.
pub fn token_from(rng: &mut (impl RngCore + ?Sized), bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
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

/// A fresh action id, for an action the server makes on someone's behalf
/// (a page's form, a post without script).
pub fn action_id() -> hearth_core::ids::ActionId {
    hearth_core::ids::ActionId::from_random(
        u128::from(random_u64()) << 64 | u128::from(random_u64()),
    )
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

/// The organiser passphrase, kept only as its SHA-256 digest. A guess is
/// hashed and compared in constant time, so neither the time an answer
/// takes nor the passphrase's length tells anything. Spaces around either
/// are ignored (a pasted passphrase often carries some).
#[derive(Clone)]
pub struct Passphrase([u8; 32]);

impl Passphrase {
    pub fn new(passphrase: &str) -> Self {
        Self(Sha256::digest(passphrase.trim().as_bytes()).into())
    }

    pub fn matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        self.0.ct_eq(&given).into()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_matches_itself_only() {
        let p = Passphrase::new("  open sesame\n");
        assert!(p.matches("open sesame"));
        assert!(!p.matches("open sesamE"));
        assert!(!p.matches("open sesame!"));
        assert!(!p.matches(""));
        assert!(!format!("{p:?}").contains("sesame"));
    }
}
