//! Which language a page speaks, and why both sides agree on it.
//!
//! A visitor reads Hearth in the language they chose with the switch (the
//! `hearth_lang` cookie), or else the best match for their browser's
//! `Accept-Language`, or else English. The server decides while it renders
//! and writes the answer into `<html lang>`; the browser reads it back from
//! there when it hydrates, so both render the same words and hydration never
//! meets a mismatch. The shared screen is the exception: it speaks the
//! language its facilitator set in the console (`gathering::ScreenSettings`),
//! because nobody can reach a switch on a projector.

use hearth_core::locale::Locale;

/// The cookie that keeps a visitor's chosen language. It holds only a
/// language tag: nothing that tells one visitor from another.
pub const LANG_COOKIE: &str = "hearth_lang";

/// Where the language switch posts (`lang`, and `back`: where to return).
pub const SWITCH_PATH: &str = "/language";

/// The language a browser prefers most among those Hearth speaks, from an
/// `Accept-Language` header such as `es-MX,es;q=0.9,en;q=0.8`. Ranges are
/// weighed by their `q` (1 when absent); among equal weights the first one
/// written wins; `q=0` rules a language out; `*` stands for any language
/// not named. `None` when nothing in it is one Hearth speaks.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranges: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            if range.is_empty() {
                return None;
            }
            let mut weight = 1000;
            for param in parts {
                let (name, value) = param.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    weight = quality(value.trim())?;
                }
            }
            Some((range, weight))
        })
        .collect();
    // Stable: equal weights keep the order they were written in.
    ranges.sort_by_key(|&(_, weight)| std::cmp::Reverse(weight));
    let ruled_out = |locale: Locale| {
        ranges
            .iter()
            .any(|&(range, weight)| weight == 0 && Locale::from_tag(range) == Some(locale))
    };
    ranges
        .iter()
        .take_while(|&&(_, weight)| weight > 0)
        .find_map(|&(range, _)| match range {
            "*" => Locale::ALL.into_iter().find(|&l| !ruled_out(l)),
            _ => Locale::from_tag(range),
        })
}

/// A `q` value in thousandths: `0` to `1` with at most three decimals,
/// as RFC 9110 writes it; anything else is not a weight.
fn quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A place to return to after switching language: a path on this site,
/// never another site (`//elsewhere`) and never a header's worth of
/// surprises; anything else returns to the front door.
pub fn safe_return(back: &str) -> &str {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.len() <= 2048
        && back.bytes().all(|b| b.is_ascii_graphic());
    if local {
        back
    } else {
        "/"
    }
}

/// The language of a request: its cookie, else its `Accept-Language`, else
/// English.
#[cfg(feature = "ssr")]
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    crate::api::cookie(headers, LANG_COOKIE)
        .and_then(Locale::from_tag)
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or_default()
}

/// The language this page is rendered in: on the server, the request's; in
/// the browser, what the server wrote into `<html lang>`.
pub fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| from_headers(&parts.headers))
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Locale::from_tag(&tag))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(header: &str) -> Option<Locale> {
        from_accept_language(header)
    }

    #[test]
    fn the_first_language_hearth_speaks_wins() {
        assert_eq!(pick("es"), Some(Locale::Es));
        assert_eq!(pick("en-GB"), Some(Locale::En));
        assert_eq!(pick("es-MX,es;q=0.9,en;q=0.8"), Some(Locale::Es));
        assert_eq!(pick("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7"), Some(Locale::Es));
        assert_eq!(pick("ES-419"), Some(Locale::Es), "tags ignore case");
    }

    #[test]
    fn weights_decide_not_the_order() {
        assert_eq!(pick("en;q=0.5, es;q=0.9"), Some(Locale::Es));
        assert_eq!(pick("es;q=0.3,en"), Some(Locale::En), "no q means 1");
        assert_eq!(
            pick("en;q=0.8,es;q=0.8"),
            Some(Locale::En),
            "ties keep order"
        );
        assert_eq!(pick("es ; q=1.000 , en;q=0.999"), Some(Locale::Es));
        assert_eq!(pick("es;Q=0.2,en;q=0.1"), Some(Locale::Es));
    }

    #[test]
    fn zero_rules_a_language_out_and_star_means_any_other() {
        assert_eq!(pick("es;q=0"), None);
        assert_eq!(pick("es;q=0,en;q=0.1"), Some(Locale::En));
        assert_eq!(pick("*"), Some(Locale::En));
        assert_eq!(pick("en;q=0, *;q=0.5"), Some(Locale::Es));
        assert_eq!(pick("fr, *;q=0.1"), Some(Locale::En));
    }

    #[test]
    fn nothing_spoken_or_broken_headers_choose_nothing() {
        assert_eq!(pick(""), None);
        assert_eq!(pick("fr-CA,de;q=0.9"), None);
        assert_eq!(
            pick("es;q=2,en;q=0.1"),
            Some(Locale::En),
            "q above 1 is ignored"
        );
        assert_eq!(pick("es;q=0.1234"), None, "more than three decimals");
        assert_eq!(pick("es;q=abc"), None);
        assert_eq!(pick("es;q"), None);
        assert_eq!(pick(",,;q=0.5,"), None);
        assert_eq!(pick("english"), None, "a tag, not a word");
    }

    #[test]
    fn qualities_read_as_thousandths() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("1.0"), Some(1000));
        assert_eq!(quality("0.5"), Some(500));
        assert_eq!(quality("0.05"), Some(50));
        assert_eq!(quality("0"), Some(0));
        assert_eq!(quality("1.5"), None);
        assert_eq!(quality("-0.5"), None);
        assert_eq!(quality(".5"), None);
    }

    #[test]
    fn a_return_address_stays_on_this_site() {
        assert_eq!(safe_return("/p/abc?x=1"), "/p/abc?x=1");
        assert_eq!(safe_return("/"), "/");
        assert_eq!(safe_return("//evil.example/"), "/");
        assert_eq!(safe_return("/\\evil.example"), "/");
        assert_eq!(safe_return("https://evil.example/"), "/");
        assert_eq!(safe_return("/a\r\nSet-Cookie: x"), "/");
        assert_eq!(safe_return(""), "/");
    }
}
