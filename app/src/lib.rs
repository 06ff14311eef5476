//! Hearth's views, on the domain in `hearth_core` (`app/core/`).
//!
//! Everything here compiles twice: with `ssr` into the server, which renders
//! pages, and with `hydrate` into the WebAssembly the facilitator's views
//! and the screen run. Both apply the domain's events with the same code
//! (`hearth_core::gathering`); the pages live in `pages/`, one file per
//! view. A participant's pages are rendered
//! only on the server and kept live by the small script in `script/`
//! (see `bundle`).
#![recursion_limit = "256"]

pub mod api;
pub mod bundle;
pub mod dates;
pub mod i18n;
pub mod landscape_view;
pub mod language;
pub mod library;
pub mod live;
pub mod map_svg;
pub mod pages;
pub mod policy;
pub mod step_form;
pub mod wall;
pub mod widgets;

use i18n::{I18n, Msg};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

/// The HTML document around every page. The stylesheet and the scripts are
/// linked by their hashed names (`hash-files` in Leptos.toml) and deferred,
/// so the page reads and posts before they arrive. A participant's pages
/// get the phone's small script; every other page, the WebAssembly that
/// hydrates it (`bundle`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    script_policy();
    #[cfg(feature = "ssr")]
    let scripts = match page_bundle() {
        bundle::Bundle::Phone => {
            let src = bundle::phone_script(&options);
            let nonce = leptos::nonce::use_nonce();
            view! { <script src=src defer nonce=nonce></script> }.into_any()
        }
        bundle::Bundle::Whole => {
            view! { <HydrationScripts options=options.clone() defer=true/> }.into_any()
        }
    };
    #[cfg(not(feature = "ssr"))]
    let scripts = view! { <HydrationScripts options=options.clone() defer=true/> };
    // The browser reads the language back from here when it hydrates.
    let locale = language::page_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="no-referrer"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet id="hearth-css" options=options.clone()/>
                {scripts}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The browser build that holds the page being rendered.
#[cfg(feature = "ssr")]
fn page_bundle() -> bundle::Bundle {
    use_context::<http::request::Parts>().map_or(bundle::Bundle::Whole, |parts| {
        bundle::Bundle::for_path(parts.uri.path())
    })
}

/// Gives this page a nonce for its scripts and the policy that names it.
#[cfg(feature = "ssr")]
fn script_policy() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&policy::page(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: one route per view.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n(language::page_locale());
    provide_context(i18n);
    view! {
        <Title text=i18n.t(Msg::AppName)/>
        <a class="skip-link" href="#main">{i18n.t(Msg::SkipToContent)}</a>
        <Router>
            <widgets::LanguageSwitch/>
            <SiteRoutes/>
        </Router>
    }
}

/// The pages a participant visits, rendered only on the server and kept
/// live by the phone's script (`bundle`).
#[cfg(feature = "ssr")]
#[component(transparent)]
pub fn PhoneRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/") view=pages::home::HomePage/>
        <Route path=path!("/p/:token") view=pages::participant::ParticipantPage ssr=SsrMode::Async/>
        <Route path=path!("/p/:token/received") view=pages::received::ReceivedPage ssr=SsrMode::Async/>
    }
    .into_inner()
}

/// Every page, as the server renders them.
#[cfg(feature = "ssr")]
#[component]
fn SiteRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <widgets::PageProblem error=api::PageError::NotFound/> }>
            <PhoneRoutes/>
            <FacilitatorRoutes/>
        </Routes>
    }
}

/// The pages the WebAssembly hydrates. A link from one of them to a
/// participant's page (the front door) is followed by loading that page
/// from the server, which sends it without WebAssembly.
#[cfg(not(feature = "ssr"))]
#[component]
fn SiteRoutes() -> impl IntoView {
    view! {
        <Routes fallback=load_from_server>
            <FacilitatorRoutes/>
        </Routes>
    }
}

/// The facilitator's pages and the screen: what the WebAssembly holds.
#[component(transparent)]
fn FacilitatorRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/start") view=pages::start::StartPage ssr=SsrMode::Async/>
        <Route path=path!("/console/:secret") view=pages::console::ConsolePage ssr=SsrMode::Async/>
        <Route path=path!("/screen/:secret") view=pages::screen::ScreenPage ssr=SsrMode::Async/>
        <Route path=path!("/harvest/:secret") view=pages::harvest::HarvestPage ssr=SsrMode::Async/>
    }
    .into_inner()
}

/// Leaves the WebAssembly for a page it does not hold.
#[cfg(not(feature = "ssr"))]
fn load_from_server() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        let mut address = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        if !search.is_empty() {
            address = format!("{address}?{search}");
        }
        if let Some(window) = web_sys::window() {
            let _ = window.location().replace(&address);
        }
    }
}

/// The browser's entry point: wakes the server-rendered page up.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
