//! The Content-Security-Policy, in one place.
//!
//! Every page gets a policy with a fresh nonce: only scripts carrying it
//! run (the hydration module script), and what they load is trusted through
//! `'strict-dynamic'`; `'wasm-unsafe-eval'` lets the WebAssembly compile
//! without allowing `eval`. Everything else the server answers (redirects,
//! JSON, the QR code, assets) gets the stricter policy for responses that
//! are not pages. The page sets its own header while it renders, because
//! only the render knows the nonce; the server's middleware adds the other
//! one wherever no policy is set yet.

/// What every response forbids: being framed, a changed base URL, forms
/// posted elsewhere, plugins.
const ALWAYS: &str =
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The policy for a page whose inline scripts carry `nonce`. Style
/// attributes are allowed (the screen sizes its bars with them); style
/// sheets come only from Hearth itself.
pub fn page(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; connect-src 'self'; {ALWAYS}"
    )
}

/// The policy for everything that is not a page: nothing may run or load.
pub fn not_a_page() -> String {
    format!("default-src 'none'; {ALWAYS}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_allow_only_their_nonce_and_nothing_allows_framing() {
        let page = page("abc123");
        assert!(page.contains("script-src 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval'"));
        assert!(!page.contains("unsafe-eval'") || page.contains("'wasm-unsafe-eval'"));
        assert!(!page.contains("script-src 'self'"));
        for policy in [page, not_a_page()] {
            assert!(policy.contains("frame-ancestors 'none'"));
            assert!(policy.contains("object-src 'none'"));
        }
    }
}
