//! What a node answers the other nodes of its cluster: questions to the
//! rooms it owns (`ask`), and each owned room's stream of frames
//! (`frames`), at `/internal/g/<gathering>/…`.
//!
//! Only a node showing the cluster's key gets an answer (the key is in the
//! database all nodes share); to anyone else these addresses do not exist.
//! A node asked about a gathering it does not own says so (409), and the
//! asking node's relay gives up: its clients reconnect, to the owner of
//! the moment.

use crate::hub::Owned;
use crate::room::wire::{self, Ask, KEY_HEADER};
use crate::room::Actor;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::broadcast::error::RecvError;

/// The internal routes, for the server's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/internal/g/{id}/ask", post(ask))
        .route("/internal/g/{id}/frames", get(frames))
        // A question is an action and its ids: far smaller than this.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(ASK_LIMIT))
}

/// The largest question a node may ask.
const ASK_LIMIT: usize = 64 * 1024;

/// The room of a gathering this node owns, for a node that showed the key.
async fn owned(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<crate::room::RoomHandle, Response> {
    let known = state.hub.cluster().is_some_and(|cluster| {
        headers
            .get(KEY_HEADER)
            .is_some_and(|key| cluster.knows(key.as_bytes()))
    });
    if !known {
        return Err(StatusCode::NOT_FOUND.into_response());
    }
    match state.hub.owned(id).await {
        Ok(room) => Ok(room),
        Err(Owned::NotFound) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(Owned::Elsewhere) => Err(StatusCode::CONFLICT.into_response()),
        Err(Owned::Storage(e)) => {
            tracing::error!(gathering = %id, "a room could not be started for another node: {e}");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

async fn ask(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let room = match owned(&state, &headers, &id).await {
        Ok(room) => room,
        Err(refused) => return refused,
    };
    match serde_json::from_slice::<Ask>(&body) {
        Ok(question) => Json(wire::answer(&room, question).await).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

/// Every frame of the room, as lines, for as long as the asker listens and
/// the room runs; an empty line every `KEEPALIVE` when there is nothing.
async fn frames(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let room = match owned(&state, &headers, &id).await {
        Ok(room) => room,
        Err(refused) => return refused,
    };
    let (events, at) = match room.subscribe(Actor::Screen, None).await {
        Ok(sub) => (sub.events, sub.seq),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let mut keepalive = tokio::time::interval(crate::room::relay::KEEPALIVE);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = futures_util::stream::once(async move {
        Ok::<_, std::convert::Infallible>(wire::start_line(at))
    });
    let lines = futures_util::stream::unfold(
        (events, keepalive),
        |(mut events, mut keepalive)| async move {
            let line = tokio::select! {
                frame = events.recv() => match frame {
                    Ok(frame) => wire::frame_line(&frame),
                    // Behind, or the room stopped: the stream ends, and the
                    // asking node's clients reconnect and catch up.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => return None,
                },
                _ = keepalive.tick() => Bytes::from_static(b"\n"),
            };
            Some((Ok::<_, std::convert::Infallible>(line), (events, keepalive)))
        },
    );
    Response::builder()
        .header("content-type", "text/plain; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Body::from_stream(futures_util::StreamExt::chain(
            start, lines,
        )))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
