//! Which script a page loads.
//!
//! A phone on venue Wi-Fi should download only what a phone needs. The
//! facilitator's console, the start page, the harvest and the shared screen
//! are hydrated by the WebAssembly build of this crate. A participant's
//! pages (the front door, their page and the "received" page) are not: they
//! are rendered on the server, every choice on them is a plain form, and a
//! small script (`app/script/phone.js`, a few kilobytes) keeps them live.
//! The WebAssembly, most of it Leptos and JSON decoding for views a phone
//! never shows, would cost a phone far more than the page itself.
//!
//! The server decides by matching the page's path against the routes the
//! phone's pages are served from (`PhoneRoutes`), so the two cannot drift.
//! `scripts/build.sh` names the phone's script `<output-name>-phone.<hash>.js`
//! and writes its hash to `phone-<hash-file>` beside Leptos's own hash file;
//! [`Bundle::hash_file`] and [`Bundle::output_name`] are the same names on
//! this side.

/// The two kinds of page, by what they load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// A participant's page: the phone's script.
    Phone,
    /// Every other page: the WebAssembly that hydrates it.
    Whole,
}

impl Bundle {
    /// What the page at `path` loads (a path without its query, as in
    /// `/p/<token>`).
    #[cfg(feature = "ssr")]
    pub fn for_path(path: &str) -> Self {
        use leptos_router::MatchNestedRoutes;
        let routes = crate::PhoneRoutes();
        match routes.match_nested(path) {
            (Some(_), rest) if rest.is_empty() || rest == "/" => Bundle::Phone,
            _ => Bundle::Whole,
        }
    }

    /// The base name of this kind's files, from the site's `output-name`.
    pub fn output_name(self, site: &str) -> String {
        match self {
            Bundle::Phone => format!("{site}-phone"),
            Bundle::Whole => site.to_owned(),
        }
    }

    /// The file holding this kind's hashes, from the site's `hash-file`
    /// (which stays the stylesheet's and the WebAssembly's).
    pub fn hash_file(self, site: &str) -> String {
        match self {
            Bundle::Phone => match site.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/phone-{file}"),
                None => format!("phone-{site}"),
            },
            Bundle::Whole => site.to_owned(),
        }
    }
}

/// The address of the phone's script: `/<pkg>/<name>-phone.<hash>.js`,
/// with the hash read from the hash file beside the server binary, or
/// without a hash when the site is built without. Read once: a build that
/// changes it changes the binary too, and every phone page (a phone fetches
/// its page again at each change in the room) would otherwise read a file.
#[cfg(feature = "ssr")]
pub fn phone_script(site: &leptos::config::LeptosOptions) -> String {
    static ADDRESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ADDRESS.get_or_init(|| read_phone_script(site)).clone()
}

#[cfg(feature = "ssr")]
fn read_phone_script(site: &leptos::config::LeptosOptions) -> String {
    let name = Bundle::Phone.output_name(&site.output_name);
    let hash = site
        .hash_files
        .then(|| {
            let exe = std::env::current_exe().ok()?;
            let file = exe.parent()?.join(Bundle::Phone.hash_file(&site.hash_file));
            script_hash(&std::fs::read_to_string(file).ok()?)
        })
        .flatten();
    match hash {
        Some(hash) => format!("/{}/{name}.{hash}.js", site.site_pkg_dir),
        None => format!("/{}/{name}.js", site.site_pkg_dir),
    }
}

/// The script's hash in a hash file's `js: <hash>` line.
#[cfg(feature = "ssr")]
fn script_hash(file: &str) -> Option<String> {
    file.lines().find_map(|line| {
        let hash = line.strip_prefix("js:")?.trim();
        (!hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash.to_owned())
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_participants_pages_load_the_phones_script() {
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
    fn every_other_page_loads_the_webassembly() {
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

    #[test]
    fn the_scripts_hash_is_read_from_its_line() {
        assert_eq!(script_hash("js: 0a1b2c\n").as_deref(), Some("0a1b2c"));
        assert_eq!(script_hash("css: ff\njs:9e\n").as_deref(), Some("9e"));
        assert_eq!(script_hash("wasm: ff\n"), None);
        assert_eq!(script_hash("js: ../etc\n"), None, "only a hash is a hash");
    }
}
