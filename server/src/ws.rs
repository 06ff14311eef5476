//! WebSocket connections: one task per view, bound to one role.
//!
//! The role is fixed by the URL the view connected to (console, screen or
//! participant link) and checked by the room on every action. A connection
//! forwards the room's frames as they come; if it falls too far behind it is
//! sent a fresh snapshot instead of the frames it missed. Sends have a
//! deadline and pings find dead peers, so a stalled phone only ever holds up
//! itself. Every frame the peer sends, of any kind, is paced (`pace.rs`),
//! and one that floods is closed with a reason.

use crate::pace::{Pace, Verdict};
use crate::room::{Actor, EntryError, Frame, RoomHandle};
use crate::secrets;
use crate::state::{AppState, ReachError};
use crate::storage::Lookup;
use app::api::device_from_headers;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_core::error::ErrorCode;
use hearth_core::gathering::LogPosition;
use hearth_core::protocol::{ClientMsg, ServerMsg};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often the server pings a quiet connection.
const PING_EVERY: Duration = Duration::from_secs(20);
/// How long one send may take before the peer is considered stalled.
const SEND_DEADLINE: Duration = Duration::from_secs(10);
/// The reason given to a connection closed for sending too much.
const SLOW_DOWN: &str = "too many messages; please slow down";

/// Where a reconnecting view was in the log.
#[derive(Deserialize)]
pub struct Resume {
    epoch: Option<u64>,
    seq: Option<u64>,
}

impl Resume {
    fn position(&self) -> Option<LogPosition> {
        Some(LogPosition {
            epoch: self.epoch?,
            seq: self.seq?,
        })
    }
}

pub async fn console(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(resume): Query<Resume>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let hash = secrets::hash(&secret);
    open(
        &state,
        &headers,
        ws,
        Lookup::ConsoleHash(&hash),
        |_| Some(Actor::Facilitator),
        resume,
    )
    .await
}

pub async fn screen(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(resume): Query<Resume>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let hash = secrets::hash(&secret);
    open(
        &state,
        &headers,
        ws,
        Lookup::ScreenHash(&hash),
        |_| Some(Actor::Screen),
        resume,
    )
    .await
}

pub async fn participant(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(resume): Query<Resume>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let device = device_from_headers(&headers);
    let actor = move |salt: &[u8]| {
        device
            .as_deref()
            .map(|d| Actor::Participant(secrets::author(salt, d)))
    };
    open(
        &state,
        &headers,
        ws,
        Lookup::JoinToken(&token),
        actor,
        resume,
    )
    .await
}

/// Checks the origin, finds the room, and upgrades.
async fn open(
    state: &AppState,
    headers: &HeaderMap,
    ws: WebSocketUpgrade,
    lookup: Lookup<'_>,
    actor: impl FnOnce(&[u8]) -> Option<Actor>,
    resume: Resume,
) -> Response {
    if !same_origin(headers) {
        // A page from another site: cross-site WebSocket hijacking.
        return StatusCode::FORBIDDEN.into_response();
    }
    let (row, room) = match state.reach(lookup).await {
        Ok(found) => found,
        Err(ReachError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(ReachError::Unavailable(e)) => {
            tracing::error!("opening a connection failed: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(actor) = actor(&row.salt) else {
        // No device cookie (cookies refused): nothing here is theirs to do.
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let since = resume.position();
    let limit = actor.role().message_limit();
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(16 * 1024)
        .on_upgrade(move |socket| serve(socket, room, actor, since))
}

/// A browser always says where a page came from; it must be this host.
/// Clients that are not browsers send no Origin and are judged by their
/// secrets alone.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("http://")
            .or_else(|| o.strip_prefix("https://"))
    });
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

async fn send(socket: &mut WebSocket, msg: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_DEADLINE, socket.send(msg)).await,
        Ok(Ok(()))
    )
}

/// Closes with a reason and waits (briefly) for the peer's answer, so the
/// reason arrives even if the peer had more messages in flight.
async fn part(mut socket: WebSocket, code: u16, reason: &'static str) {
    let close = CloseFrame {
        code,
        reason: reason.into(),
    };
    if !send(&mut socket, Message::Close(Some(close))).await {
        return;
    }
    let _ = tokio::time::timeout(SEND_DEADLINE, async {
        while let Some(Ok(msg)) = socket.recv().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// A frame's payload, in bytes.
fn size(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes.len(),
        Message::Close(frame) => frame.as_ref().map_or(0, |f| 2 + f.reason.len()),
    }
}

fn encode(msg: &ServerMsg) -> Message {
    Message::Text(serde_json::to_string(msg).unwrap_or_default().into())
}

async fn serve(mut socket: WebSocket, room: RoomHandle, actor: Actor, since: Option<LogPosition>) {
    let mut sub = match room.subscribe(actor.clone(), since).await {
        Ok(sub) => sub,
        Err(e) => {
            let reason = match e {
                EntryError::Ended => "ended",
                EntryError::Locked => "locked",
                EntryError::Unavailable => "unavailable",
            };
            part(socket, 4000, reason).await;
            return;
        }
    };
    for frame in &sub.catch_up {
        if !send(&mut socket, Message::Text(frame.json.clone())).await {
            return;
        }
    }
    if matches!(actor, Actor::Participant(_))
        && !send(
            &mut socket,
            encode(&ServerMsg::Mine {
                cards: sub.mine,
                marks: sub.marks,
            }),
        )
        .await
    {
        return;
    }
    let mut last = sub.seq;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    let mut awaiting_pong = false;
    let mut pace = Pace::new(std::time::Instant::now(), actor.role().message_limit());

    loop {
        tokio::select! {
            // Frames first: polling the socket for input on every outgoing
            // frame costs a buffer reset each time, for nothing.
            biased;
            frame = sub.events.recv() => {
                let out = match frame {
                    Ok(Frame { audience, .. }) if !audience.admits(&actor) => continue,
                    Ok(Frame { seq, json, sequenced: true, .. }) if seq > last => { last = seq; json }
                    Ok(Frame { json, sequenced: false, .. }) => json,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {
                        // Too far behind: start again from the present.
                        let Some(snapshot) = room.snapshot(actor.role()).await else { return };
                        last = snapshot.seq;
                        snapshot.json
                    }
                    Err(RecvError::Closed) => return,
                };
                if !send(&mut socket, Message::Text(out)).await {
                    return;
                }
            }
            incoming = socket.recv() => {
                let message = match incoming {
                    Some(Ok(Message::Close(_))) | None => return,
                    Some(Ok(message)) => message,
                    Some(Err(e)) => {
                        // An oversized message ends up here: say why, then part.
                        tracing::debug!("a connection ended: {e}");
                        let close = CloseFrame { code: 1009, reason: "message too large or malformed".into() };
                        let _ = send(&mut socket, Message::Close(Some(close))).await;
                        return;
                    }
                };
                if matches!(message, Message::Pong(_)) {
                    // Any pong shows the peer is there, paced or not.
                    awaiting_pong = false;
                }
                // Every frame counts, whatever its kind (see `pace.rs`).
                match pace.check(std::time::Instant::now(), size(&message)) {
                    Verdict::Pass => {}
                    Verdict::Slow(wait) => {
                        if let Message::Text(text) = &message {
                            // An action is answered, even when refused.
                            let id = ClientMsg::decode(text.as_str(), actor.role()).ok().map(|ClientMsg::Act { id, .. }| id);
                            let refused = encode(&ServerMsg::Error { id, code: ErrorCode::RateLimited });
                            if !send(&mut socket, refused).await {
                                return;
                            }
                        }
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    Verdict::Close => {
                        part(socket, 1008, SLOW_DOWN).await;
                        return;
                    }
                }
                let reply = match message {
                    Message::Text(text) => handle(&room, &actor, text.as_str()).await,
                    Message::Binary(_) => encode(&ServerMsg::Error { id: None, code: ErrorCode::Malformed }),
                    // Pings are answered by the socket itself; pongs are seen above.
                    Message::Ping(_) | Message::Pong(_) | Message::Close(_) => continue,
                };
                if !send(&mut socket, reply).await {
                    return;
                }
            }
            _ = ping.tick() => {
                if awaiting_pong || !send(&mut socket, Message::Ping(Default::default())).await {
                    return;
                }
                awaiting_pong = true;
            }
        }
    }
}

/// Decodes one message, lets the room decide, and says what happened.
async fn handle(room: &RoomHandle, actor: &Actor, text: &str) -> Message {
    let reply = match ClientMsg::decode(text, actor.role()) {
        // The room checks the role of every action: one gate, not two.
        Ok(ClientMsg::Act { id, action }) => {
            match room.act(actor.clone(), id.clone(), action).await {
                Ok(outcome) => ServerMsg::Ack { id, outcome },
                Err(code) => ServerMsg::Error { id: Some(id), code },
            }
        }
        Err((id, code)) => ServerMsg::Error { id, code },
    };
    encode(&reply)
}
