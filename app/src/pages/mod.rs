//! One module per view.

pub mod console;
pub mod console_groups;
pub mod console_parts;
pub mod console_screen;
pub mod console_statements;
pub mod harvest;
pub mod map_tools;
pub mod screen;
pub mod screen_groups;
pub mod start;

// A participant's pages: rendered only on the server (see `bundle`).
#[cfg(feature = "ssr")]
pub mod home;
#[cfg(feature = "ssr")]
pub mod participant;
#[cfg(feature = "ssr")]
pub mod phone_groups;
#[cfg(feature = "ssr")]
pub mod phone_parts;
#[cfg(feature = "ssr")]
pub mod phone_statements;
#[cfg(feature = "ssr")]
pub mod received;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A route parameter, or empty when it is missing.
pub(crate) fn param(name: &'static str) -> String {
    use_params_map().with_untracked(|p| p.get(name).unwrap_or_default())
}

/// A query parameter, if present.
pub(crate) fn query(name: &'static str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(name))
}
