//! Where a page's data comes from (its shape is `hearth_core::page`).
//!
//! Each view is rendered on the server with its full state (so it reads and
//! posts without JavaScript) through one server function per view. The
//! server crate answers them by providing a `Backend` in context; this crate
//! only knows the trait, so no storage code reaches the browser build.

use hearth_core::page::{ConsolePage, HarvestPage, ParticipantPage, ScreenPage, StartInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a page cannot be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PageError {
    #[error("no such gathering")]
    NotFound,
    #[error("the gathering has ended")]
    Ended,
    #[error("joining is locked")]
    Locked,
    #[error("the server could not answer")]
    Unavailable,
}

#[cfg(feature = "ssr")]
impl PageError {
    /// The HTTP status a page, or its data, is answered with: a link that
    /// opens nothing is 404, not a failure of the server.
    pub fn status(self) -> http::StatusCode {
        match self {
            PageError::NotFound => http::StatusCode::NOT_FOUND,
            PageError::Ended => http::StatusCode::GONE,
            PageError::Locked => http::StatusCode::FORBIDDEN,
            PageError::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl FromServerFnError for PageError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        PageError::Unavailable
    }
}

#[cfg(feature = "ssr")]
pub use backend::{Backend, BoxFuture, SharedBackend};

#[cfg(feature = "ssr")]
mod backend {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// What the server provides to render pages.
    pub trait Backend: Send + Sync + 'static {
        fn console(&self, secret: String) -> BoxFuture<'_, Result<ConsolePage, PageError>>;
        fn screen(&self, secret: String) -> BoxFuture<'_, Result<ScreenPage, PageError>>;
        /// Joins the device to the gathering if it has not joined yet.
        fn participant(
            &self,
            token: String,
            device: Option<String>,
        ) -> BoxFuture<'_, Result<ParticipantPage, PageError>>;
        /// What the group made, for the printable harvest: the console's
        /// view, hidden cards left out unless `hidden`.
        fn harvest(
            &self,
            secret: String,
            hidden: bool,
        ) -> BoxFuture<'_, Result<HarvestPage, PageError>>;
        /// What the start page shows: the passphrase field, the templates.
        fn start(&self) -> BoxFuture<'_, Result<StartInfo, PageError>>;
    }

    /// The backend as it sits in the Leptos context.
    pub type SharedBackend = Arc<dyn Backend>;
}

/// One cookie's value from a request, if it was sent.
#[cfg(feature = "ssr")]
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Reads the device token from a request's cookies.
#[cfg(feature = "ssr")]
pub fn device_from_headers(headers: &http::HeaderMap) -> Option<String> {
    cookie(headers, hearth_core::page::DEVICE_COOKIE)
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

#[cfg(feature = "ssr")]
fn backend() -> Result<SharedBackend, PageError> {
    use_context::<SharedBackend>().ok_or(PageError::Unavailable)
}

/// Page data as answered: an error carries its own status (otherwise every
/// error, a wrong secret included, would be answered 500), and its body is
/// only the error's name.
#[cfg(feature = "ssr")]
fn answered<T>(result: Result<T, PageError>) -> Result<T, PageError> {
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(error.status());
    }
    result
}

/// Loads the facilitator console.
#[server(endpoint = "console")]
pub async fn load_console(secret: String) -> Result<ConsolePage, PageError> {
    answered(async { backend()?.console(secret).await }.await)
}

/// Loads the shared screen.
#[server(endpoint = "screen")]
pub async fn load_screen(secret: String) -> Result<ScreenPage, PageError> {
    answered(async { backend()?.screen(secret).await }.await)
}

/// Loads a participant's page, joining them if they are new.
#[server(endpoint = "participant")]
pub async fn load_participant(token: String) -> Result<ParticipantPage, PageError> {
    answered(
        async {
            let parts: http::request::Parts = use_context().ok_or(PageError::Unavailable)?;
            let device = device_from_headers(&parts.headers);
            backend()?.participant(token, device).await
        }
        .await,
    )
}

/// Loads what the group made, for the harvest page.
#[server(endpoint = "harvest")]
pub async fn load_harvest(secret: String, hidden: bool) -> Result<HarvestPage, PageError> {
    answered(async { backend()?.harvest(secret, hidden).await }.await)
}

/// Loads what the start page needs.
#[server(endpoint = "start")]
pub async fn load_start() -> Result<StartInfo, PageError> {
    answered(async { backend()?.start().await }.await)
}
