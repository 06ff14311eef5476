//! A room that runs on another node: how a node that does not own a
//! gathering serves its connections and pages anyway.
//!
//! The relay looks like any room to the rest of the server (a `RoomHandle`
//! with the same commands), but decides nothing. Each command is asked of
//! the owner's room over HTTP (`wire::Ask`), concurrently, and answered
//! with the owner's answer. The owner's frames arrive once, on one stream
//! for the whole gathering, and are fanned out here to this node's own
//! connections, as the owner fans out to its own: a node with a thousand
//! phones of a gathering it does not own receives each frame once.
//!
//! The relay ends when the owner's stream ends (the owner stopped the
//! room, lost its lease, or died) or goes quiet past `QUIET` (the owner is
//! paused or cut off), and when nobody here has used it for a while. Its
//! connections then end too, and reconnect to whichever node owns the
//! gathering next; a command under way is refused, and the phone sends it
//! again with the same id, which the room applies once.

use super::wire::{self, Answer, Ask, Line, WireView, KEY_HEADER};
use super::{Command, EntryError, Frame, PageView, RoomHandle, Settings, Subscription, STARTED};
use hearth_core::error::ErrorCode;
use hearth_core::gathering::GatheringView;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// The owner sends a line at least this often, even with nothing to say.
pub const KEEPALIVE: Duration = Duration::from_secs(1);
/// An owner silent this long is taken for gone.
const QUIET: Duration = Duration::from_secs(4);
/// How long a relay nobody here uses is kept.
const IDLE: Duration = Duration::from_secs(60);
/// How long one question to the owner may take.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the owner of a gathering is, and how to speak to it.
#[derive(Clone)]
pub struct Link {
    pub http: reqwest::Client,
    /// The owner's base address, e.g. `http://10.0.0.2:3000`.
    pub owner: String,
    pub key: String,
    pub gathering: String,
}

/// Why a relay could not start.
#[derive(Debug, thiserror::Error)]
#[error("the node that owns gathering {gathering} ({owner}) could not be reached: {reason}")]
pub struct Unreachable {
    pub gathering: String,
    pub owner: String,
    pub reason: String,
}

impl Link {
    fn url(&self, what: &str) -> String {
        format!("{}/internal/g/{}/{what}", self.owner, self.gathering)
    }

    fn unreachable(&self, reason: impl ToString) -> Unreachable {
        Unreachable {
            gathering: self.gathering.clone(),
            owner: self.owner.clone(),
            reason: reason.to_string(),
        }
    }

    async fn ask(&self, ask: &Ask) -> Result<Answer, Unreachable> {
        let response = self
            .http
            .post(self.url("ask"))
            .header(KEY_HEADER, &self.key)
            .timeout(ASK_TIMEOUT)
            .json(ask)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return Err(self.unreachable(response.status()));
        }
        response.json().await.map_err(|e| self.unreachable(e))
    }
}

/// The last shared view the owner sent, by audience (facilitator, others),
/// with the owner's version it was made from.
type Views = Arc<Mutex<[Option<(u64, Arc<GatheringView>)>; 2]>>;

/// Opens the owner's stream of frames and starts relaying the gathering.
pub async fn start(link: Link, settings: Settings) -> Result<RoomHandle, Unreachable> {
    // A paused owner accepts the connection and never answers: past
    // `QUIET`, it is taken for gone like one that refuses.
    let asked = link
        .http
        .get(link.url("frames"))
        .header(KEY_HEADER, &link.key)
        .send();
    let stream = tokio::time::timeout(QUIET, asked)
        .await
        .map_err(|_| link.unreachable(format!("no answer within {QUIET:?}")))?
        .map_err(|e| link.unreachable(e))?;
    if !stream.status().is_success() {
        return Err(link.unreachable(stream.status()));
    }
    let (fanout, _) = broadcast::channel(settings.lag_limit.max(1));
    let (tx, rx) = mpsc::channel(super::QUEUE);
    let shown = Arc::new(AtomicU64::new(0));
    let (heard, heard_rx) = watch::channel(0);
    let relay = Relay {
        link,
        fanout,
        shown: shown.clone(),
        heard,
        views: Views::default(),
    };
    tokio::spawn(relay.run(rx, stream));
    Ok(RoomHandle {
        tx,
        local: false,
        shown,
        id: STARTED.fetch_add(1, Ordering::Relaxed),
        heard: heard_rx,
    })
}

struct Relay {
    link: Link,
    fanout: broadcast::Sender<Frame>,
    /// Counts the frames received: what pages made here are current for.
    shown: Arc<AtomicU64>,
    /// The newest position of the owner's log received.
    heard: watch::Sender<u64>,
    views: Views,
}

impl Relay {
    async fn run(self, mut rx: mpsc::Receiver<Command>, mut stream: reqwest::Response) {
        let mut pending = Vec::new();
        let mut tick = tokio::time::interval(KEEPALIVE);
        let mut last_command = tokio::time::Instant::now();
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(Command::Close | Command::Stop) | None => break,
                    Some(command) => {
                        last_command = tokio::time::Instant::now();
                        self.handle(command);
                    }
                },
                chunk = tokio::time::timeout(QUIET, stream.chunk()) => match chunk {
                    Ok(Ok(Some(bytes))) => self.feed(&mut pending, &bytes),
                    Ok(Ok(None)) => {
                        tracing::info!(gathering = %self.link.gathering, "the owner ended its stream: relaying stops");
                        break;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(gathering = %self.link.gathering, "the owner's stream broke: {e}");
                        break;
                    }
                    Err(_) => {
                        tracing::warn!(gathering = %self.link.gathering, "the owner has been silent for {QUIET:?}: relaying stops");
                        break;
                    }
                },
                _ = tick.tick() => {
                    if last_command.elapsed() > IDLE && self.fanout.receiver_count() == 0 {
                        break;
                    }
                }
            }
        }
        // Dropping the fan-out ends every connection relayed here.
    }

    /// Passes on each whole line received; keeps a partial one for later.
    fn feed(&self, pending: &mut Vec<u8>, bytes: &[u8]) {
        pending.extend_from_slice(bytes);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let Ok(line) = std::str::from_utf8(&line[..end]) else {
                continue;
            };
            match wire::read_line(line) {
                Some(Line::At(seq)) => self.hear(seq),
                Some(Line::Frame(frame)) => {
                    self.shown.fetch_add(1, Ordering::AcqRel);
                    self.hear(frame.seq);
                    // No receivers is fine: nobody here is watching now.
                    let _ = self.fanout.send(frame);
                }
                None => {}
            }
        }
    }

    fn hear(&self, seq: u64) {
        self.heard.send_if_modified(|at| {
            let newer = seq > *at;
            *at = (*at).max(seq);
            newer
        });
    }

    /// Asks the owner, on a task of its own: commands do not wait for one
    /// another here, the owner's room orders them.
    fn handle(&self, command: Command) {
        let link = self.link.clone();
        match command {
            Command::Subscribe {
                actor,
                since,
                reply,
            } => {
                // Subscribed before asking: every frame after the owner's
                // answer reaches the connection (it skips what it has).
                let events = self.fanout.subscribe();
                tokio::spawn(async move {
                    let answer = match link.ask(&Ask::Subscribe { actor, since }).await {
                        Ok(Answer::Subscribed(Ok(caught))) => Ok(Subscription {
                            catch_up: caught.catch_up.into_iter().map(Frame::from).collect(),
                            seq: caught.seq,
                            events,
                            mine: caught.mine,
                            marks: caught.marks,
                        }),
                        Ok(Answer::Subscribed(Err(e))) => Err(e),
                        other => Err(unavailable(&link, other)),
                    };
                    let _ = reply.send(answer);
                });
            }
            Command::Join { author, reply } => {
                tokio::spawn(async move {
                    let answer = match link.ask(&Ask::Join { author }).await {
                        Ok(Answer::Joined(joined)) => joined,
                        other => Err(unavailable(&link, other)),
                    };
                    let _ = reply.send(answer);
                });
            }
            Command::Act {
                actor,
                id,
                action,
                join,
                reply,
            } => {
                tokio::spawn(async move {
                    let ask = Ask::Act {
                        actor,
                        id,
                        action,
                        join,
                    };
                    let answer = match link.ask(&ask).await {
                        Ok(Answer::Acted(result)) => result,
                        other => {
                            unavailable(&link, other);
                            Err(ErrorCode::Internal)
                        }
                    };
                    let _ = reply.send(answer);
                });
            }
            Command::Snapshot { role, reply } => {
                tokio::spawn(async move {
                    match link.ask(&Ask::Snapshot { role }).await {
                        Ok(Answer::Snapshot(Some(frame))) => {
                            let _ = reply.send(Frame::from(frame));
                        }
                        // Dropping the reply says the room is not there.
                        other => {
                            unavailable(&link, other);
                        }
                    }
                });
            }
            Command::View { actor, reply } => {
                let (views, shown) = (self.views.clone(), self.shown.clone());
                tokio::spawn(async move {
                    let _ = reply.send(view(&link, &views, &shown, actor).await);
                });
            }
            Command::Close | Command::Stop => {}
        }
    }
}

/// A page's view from the owner, its shared part reused while the owner
/// says it has not changed.
async fn view(
    link: &Link,
    views: &Views,
    shown: &AtomicU64,
    actor: super::Actor,
) -> Result<PageView, EntryError> {
    let audience = usize::from(actor.role() != hearth_core::protocol::Role::Facilitator);
    // Read before asking: a page made from this answer is at least as new
    // as what this version says.
    let version = shown.load(Ordering::Acquire);
    let held = lock(views)[audience].clone();
    let known = held.as_ref().map(|(v, _)| *v);
    let WireView {
        at,
        gathering,
        version: owner_version,
        mine,
        marks,
        group,
        now,
        waiting,
        ballot,
        queue,
    } = match link.ask(&Ask::View { actor, known }).await {
        Ok(Answer::View(view)) => (*view)?,
        other => return Err(unavailable(link, other)),
    };
    let gathering = match (gathering, held) {
        (Some(fresh), _) => {
            let fresh = Arc::new(fresh);
            lock(views)[audience] = Some((owner_version, fresh.clone()));
            fresh
        }
        (None, Some((_, held))) => held,
        (None, None) => return Err(EntryError::Unavailable),
    };
    Ok(PageView {
        at,
        gathering,
        mine,
        marks,
        group: group.map(|g| *g),
        now,
        version,
        waiting,
        ballot,
        queue,
    })
}

/// Says why the owner gave no answer of the kind asked, and stands for it.
fn unavailable(link: &Link, got: Result<Answer, Unreachable>) -> EntryError {
    match got {
        Err(e) => tracing::warn!("{e}"),
        Ok(other) => {
            tracing::error!(gathering = %link.gathering, "the owner answered with another kind: {other:?}")
        }
    }
    EntryError::Unavailable
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
