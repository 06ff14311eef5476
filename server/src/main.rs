//! The Hearth server: pages, WebSocket and storage in one process.

mod assets;
mod backend;
mod cluster;
mod compress;
mod config;
mod export;
mod forms;
mod group_form;
mod headers;
mod hub;
mod icon;
mod import;
mod lan;
mod map_image;
mod pace;
mod phone_parts;
mod retention;
mod room;
mod secrets;
mod state;
mod storage;
mod strict_form;
mod throttle;
mod ws;

use app::api::SharedBackend;
use app::{shell, App};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use clap::Parser;
use config::{Args, Config};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;

/// The kernel's send buffer per connection, in bytes.
const SEND_BUFFER: usize = 64 * 1024;
/// The largest request body: every form and page-data request is far
/// smaller (a reflection is at most 500 characters), so anything bigger is
/// refused with 413 before a handler sees it.
const BODY_LIMIT: usize = 16 * 1024;

/// Why Hearth stopped.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("could not open the database: {0}")]
    Storage(#[from] storage::StorageError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Hearth could not run: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), StartError> {
    let mut config = Config::load(args)?;
    // Bound before anything is built on the address: with port 0, the
    // links and the address line name the port the system chose.
    let addr = config.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let bound = listener.local_addr().map_err(StartError::Serve)?;
    config.listening_on(bound);
    let (store, coordination) = storage::open_node(&config.database).await?;
    // On PostgreSQL, any number of nodes may share the database: this one
    // joins them (alone, it is a cluster of one).
    let cluster = match coordination {
        Some(coordination) => {
            Some(cluster::Cluster::join(coordination, config.node_address()).await?)
        }
        None => None,
    };
    let hub = hub::Hub::new(store.clone(), config.rooms, cluster.clone());
    retention::spawn(store.clone(), hub.clone(), config.retention);
    let state = AppState::new(config, store, hub);
    if let Some(cluster) = &cluster {
        cluster.beat(vec![state.joins.clone(), state.organisers.clone()]);
        let hub = state.hub.clone();
        cluster.follow_gone(move |hash| {
            let hub = hub.clone();
            async move { hub.forget_announced(&hash).await }
        });
    }
    // What phones were sent and the room has moved past is let go soon.
    phone_parts::sweep_every(
        state.shared_parts.clone(),
        std::time::Duration::from_secs(5),
    );

    let app = router(state.clone());
    println!(
        "Hearth is running. Open http://{} (phones use {})",
        local_view(bound),
        state.config.public_url
    );
    // Small frames go out at once rather than waiting on Nagle's algorithm,
    // and the kernel holds at most a modest amount for each connection: a
    // phone that stops reading then falls behind in Hearth's own bounded
    // queue and is resynchronised, instead of the kernel buffering
    // megabytes for it (at 20,000 connections that would be the memory).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
        let _ = socket2::SockRef::from(&*tcp).set_send_buffer_size(SEND_BUFFER);
    });
    // The peer's address reaches the handlers that throttle guesses (it is
    // held in memory only, see `throttle.rs`).
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(StartError::Serve)
}

/// The address to open on this machine.
fn local_view(bound: std::net::SocketAddr) -> std::net::SocketAddr {
    if bound.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], bound.port()))
    } else {
        bound
    }
}

fn router(state: AppState) -> Router {
    let leptos_options = state.config.leptos.clone();
    let routes = generate_route_list(App);
    let backend: SharedBackend = Arc::new(state.clone());
    Router::new()
        .route("/start", post(forms::start))
        .route("/start/template/delete", post(forms::delete_template))
        .route("/join", get(forms::join))
        .route("/p/{token}/reflect", post(forms::reflect))
        .route("/p/{token}/mark", post(forms::mark))
        .route("/p/{token}/withdraw", post(forms::withdraw))
        .route("/p/{token}/group", post(group_form::group))
        .route("/p/{token}/shared", get(phone_parts::shared))
        .route("/p/{token}/mine", get(phone_parts::own))
        .route("/console/{secret}/delete", post(forms::delete))
        .route("/console/{secret}/export/{file}", get(export::download))
        .route("/qr/{token}", get(forms::qr))
        .route("/favicon.ico", get(icon::ico))
        .route("/favicon.svg", get(icon::svg))
        .route(app::language::SWITCH_PATH, post(forms::language))
        .route("/ws/console/{secret}", get(ws::console))
        .route("/ws/screen/{secret}", get(ws::screen))
        .route("/ws/p/{token}", get(ws::participant))
        .leptos_routes_with_context(&state, routes, move || provide_context(backend.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(compress::mark_phone_pages))
        .layer(compress::phone_pages())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forms::device_cookie,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(assets::router(&leptos_options))
        // An export file is larger than any form, and has its own limit.
        .merge(
            Router::new()
                .route("/start/import", post(import::start))
                .layer(tower_http::limit::RequestBodyLimitLayer::new(
                    import::IMPORT_LIMIT,
                ))
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        // Between the nodes of a cluster: small questions, and long streams.
        .merge(cluster::internal::router())
        .layer(axum::middleware::from_fn(headers::security_headers))
        // A bug must cost one request a 500, never the connection or the process.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
