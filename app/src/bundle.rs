//! Which WebAssembly a page loads.
//!
//! A phone on venue Wi-Fi should download only what a phone runs. This
//! crate is built for the browser twice: whole (every page) and, with the
//! `phone` feature, holding only the pages a participant visits (the front
//! door, their page and the "received" page). Leaving the console, screen,
//! start and harvest pages out lets the compiler drop their code, which
//! roughly halves what a phone downloads. The server links each page to
//! the build that holds it, by matching the page's path against the very
//! routes the phone's build holds (`PhoneRoutes`), so the two cannot drift.
//!
//! `scripts/build.sh` names the phone's files `<output-name>-phone.<hash>`
//! and writes their hashes to `phone-<hash-file>` beside Leptos's own hash
//! file; [`Bundle::hash_file`] and [`Bundle::output_name`] are the same
//! names on this side.

use leptos_router::MatchNestedRoutes;

/// One of the two browser builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The participant's pages only.
    Phone,
    /// Every page: what the facilitator's views load.
    Whole,
}

impl Bundle {
    /// The build that hydrates the page at `path` (a path without its
    /// query, as in `/p/<token>`).
    pub fn for_path(path: &str) -> Self {
        let routes = crate::PhoneRoutes();
        match routes.match_nested(path) {
            (Some(_), rest) if rest.is_empty() || rest == "/" => Bundle::Phone,
            _ => Bundle::Whole,
        }
    }

    /// The base name of this build's files, from the site's `output-name`.
    pub fn output_name(self, site: &str) -> String {
        match self {
            Bundle::Phone => format!("{site}-phone"),
            Bundle::Whole => site.to_owned(),
        }
    }

    /// The file holding this build's hashes, from the site's `hash-file`
    /// (which stays the stylesheet's and the whole build's).
    pub fn hash_file(self, site: &str) -> String {
        match self {
            Bundle::Phone => match site.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/phone-{file}"),
                None => format!("phone-{site}"),
            },
            Bundle::Whole => site.to_owned(),
        }
    }

    /// The site options `HydrationScripts` links this build's files by.
    #[cfg(feature = "ssr")]
    pub fn options(self, site: &leptos::config::LeptosOptions) -> leptos::config::LeptosOptions {
        let mut options = site.clone();
        options.output_name = self.output_name(&site.output_name).into();
        options.hash_file = self.hash_file(&site.hash_file).into();
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_participants_pages_load_the_phones_build() {
        for path in [
            "/",
            "/p/abcdefghijklmnopqrstuv",
            "/p/abc/",
            "/p/abc/received",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Phone, "{path}");
        }
    }

    #[test]
    fn every_other_page_loads_the_whole_build() {
        for path in [
            "/start",
            "/console/abc",
            "/screen/abc",
            "/harvest/abc",
            "/p/abc/received/more",
            "/p",
            "/nowhere",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Whole, "{path}");
        }
    }

    #[test]
    fn the_phones_files_are_named_beside_the_sites() {
        assert_eq!(Bundle::Phone.output_name("hearth"), "hearth-phone");
        assert_eq!(Bundle::Whole.output_name("hearth"), "hearth");
        assert_eq!(Bundle::Phone.hash_file("hash.txt"), "phone-hash.txt");
        assert_eq!(
            Bundle::Phone.hash_file("/srv/hearth/hash.txt"),
            "/srv/hearth/phone-hash.txt"
        );
        assert_eq!(Bundle::Whole.hash_file("hash.txt"), "hash.txt");
    }
}
