//! One live gathering: the task that owns its state, and the handle the
//! rest of the server reaches it through (commands in, frames out).
//!
//! Each gathering in use has one `Room` task. Every action for it arrives
//! through the room's queue and is applied one at a time, so there are no
//! locks around the state and no two actions can interleave. The room keeps
//! what it needs to decide in memory (the public view, who has joined, and
//! each card with its author), so deciding never waits on the database.
//!
//! The task only queues, commits and sends; what an action may do and what
//! it changes is decided by the pure rules (`rules/`). Everything waiting
//! in the queue forms one round: each action is decided in turn, the
//! round's writes are committed durably in one batch, and only then are its
//! events broadcast and its actions acknowledged: an acknowledged action
//! survives a crash, and a refused one leaves nothing behind.
//!
//! Each event is serialised once into a `Frame` and fanned out through a
//! bounded broadcast channel. A connection that falls behind loses its place
//! in the channel (not the server's memory) and is resynchronised from a
//! snapshot. The last frames are kept in a `Ring` so a reconnecting view
//! gets exactly what it missed (see `ring.rs`, with its privacy rule), and
//! the state is checkpointed now and then so that loading a room after a
//! restart reads a checkpoint and the events after it, not the whole log
//! (see `checkpoint.rs` and `load.rs`).

mod audience;
mod checkpoint;
mod landscapes;
mod load;
mod made;
pub mod relay;
mod ring;
mod rules;
pub mod wire;

pub use audience::Audience;
pub use checkpoint::EVERY as CHECKPOINT_EVERY;
pub use rules::statements::seeds_at_start;

use crate::storage::{Batch, GatheringRow, Op, StorageError, Store};
use axum::extract::ws::Utf8Bytes;
pub use checkpoint::Checkpoint;
use hearth_core::error::ErrorCode;
use hearth_core::gathering::{Event, GatheringView, LogPosition, Waiting};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::marks::Mark;
use hearth_core::page::GroupBoard;
use hearth_core::protocol::{Action, Outcome, OwnCard, Role, ServerMsg};
use hearth_core::statements::Ballot;
use ring::Ring;
pub use rules::{Actor, EntryError};
use rules::{Inputs, Refusal, State, Verdict};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

/// How often a room sends its live figures, when they changed. Coalescing
/// them keeps a burst of posts in a large room from becoming a burst of
/// messages to every phone.
const TALLY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// How long a room with nobody connected stays in memory.
const IDLE: std::time::Duration = std::time::Duration::from_secs(600);
/// The most commands decided and committed together.
const ROUND: usize = 256;
/// Commands that may wait for a room before senders wait too.
const QUEUE: usize = 1024;

/// One serialised server message, shared by every receiver.
#[derive(Clone, Debug)]
pub struct Frame {
    pub seq: u64,
    pub json: Utf8Bytes,
    /// Whether the frame is a step in the log (an event or a snapshot).
    /// Live figures are not: they are sent whatever a view has seen. A
    /// step of the log is everyone's: every view follows the log.
    pub sequenced: bool,
    /// Who is sent it (`audience.rs`).
    pub audience: Audience,
}

/// What a new connection starts from.
pub struct Subscription {
    /// Frames to send first: the missed events, or one snapshot.
    pub catch_up: Vec<Frame>,
    /// The log position the catch-up brings the view to.
    pub seq: u64,
    pub events: broadcast::Receiver<Frame>,
    /// The participant's own cards and marks (empty for other roles).
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
}

enum Command {
    Subscribe {
        actor: Actor,
        since: Option<LogPosition>,
        reply: oneshot::Sender<Result<Subscription, EntryError>>,
    },
    Join {
        author: String,
        reply: oneshot::Sender<Result<(), EntryError>>,
    },
    Act {
        actor: Actor,
        id: ActionId,
        action: Action,
        /// Let a participant in first, in the same round (a form's post:
        /// one trip through the room and one commit, not two).
        join: bool,
        reply: oneshot::Sender<Result<Outcome, ErrorCode>>,
    },
    Snapshot {
        role: Role,
        reply: oneshot::Sender<Frame>,
    },
    View {
        actor: Actor,
        reply: oneshot::Sender<Result<PageView, EntryError>>,
    },
    /// The gathering was deleted: end every connection.
    Close,
    /// The room must stop now (its node lost the gathering's lease):
    /// everything already queued is refused, and the room ends.
    Stop,
}

/// The state a page renders from: the room as this role may see it, and
/// for a participant their own cards and marks.
pub struct PageView {
    pub at: LogPosition,
    /// Shared by every page of the same audience until the room changes:
    /// made once, and copied (if at all) by the page, not the room.
    pub gathering: Arc<GatheringView>,
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
    /// A participant's small group and its board, made for them alone.
    pub group: Option<GroupBoard>,
    /// The server's clock (ms), for the timer.
    pub now: u64,
    /// The room's version this view was made from (see `RoomHandle::version`).
    pub version: u64,
    /// The facilitator's only: how many cards wait on each step that has
    /// some (the exports say so rather than leave them out silently).
    pub waiting: BTreeMap<StepId, Waiting>,
    /// A participant's only, in a statements step: their next statement
    /// and where they stand.
    pub ballot: Option<Ballot>,
    /// The facilitator's only: the current statements step's statements
    /// waiting to be let in (pre-screen), oldest first.
    pub queue: Vec<(CardId, String)>,
}

/// How every room of an instance is tuned.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// How many frames a connection may fall behind before it is
    /// resynchronised with a snapshot (the fan-out channel's capacity).
    pub lag_limit: usize,
    /// Events between two checkpoints (see `checkpoint.rs`).
    pub checkpoint_every: u64,
}

/// A cheap handle on a running room.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Command>,
    /// Whether the room runs here, or on the node that owns its gathering
    /// (`relay.rs`).
    local: bool,
    /// The room's version that everyone may be shown: what is stored.
    shown: Arc<AtomicU64>,
    /// Which start of a room this is: a room started again (after idling,
    /// or after a restart) counts its versions afresh.
    id: u64,
    /// The newest position of the log stored and sent (on a relay: received
    /// from the owner).
    heard: watch::Receiver<u64>,
}

/// A room's version, readable without holding the room open.
pub struct VersionWatch(std::sync::Weak<AtomicU64>);

impl VersionWatch {
    /// Watches the counter a room publishes its version in.
    pub fn of(shown: &Arc<AtomicU64>) -> Self {
        VersionWatch(Arc::downgrade(shown))
    }

    /// The room's version now, or `None` once the room and every handle
    /// on it are gone (the room stopped, or its gathering was deleted).
    pub fn now(&self) -> Option<u64> {
        self.0.upgrade().map(|v| v.load(Ordering::Acquire))
    }
}

/// Stops a room from outside without holding it open (its lease keeper
/// holds one: see `cluster/`).
pub struct Stopper(mpsc::WeakSender<Command>);

impl Stopper {
    /// Whether the room is still running.
    pub fn running(&self) -> bool {
        self.0.upgrade().is_some_and(|tx| !tx.is_closed())
    }

    /// Stops the room: what is queued is refused, and every connection to
    /// it ends (their views reconnect, to whichever node owns it next).
    pub async fn stop(&self) {
        if let Some(tx) = self.0.upgrade() {
            let _ = tx.send(Command::Stop).await;
        }
    }
}

/// Numbers each room started in this process.
static STARTED: AtomicU64 = AtomicU64::new(0);

impl RoomHandle {
    /// The version of the room everyone may be shown now (it grows with
    /// every stored change, and with every change of the live figures and
    /// totals). What was made from a view of this version is still current.
    pub fn version(&self) -> u64 {
        self.shown.load(Ordering::Acquire)
    }

    /// A way to read the room's version later without holding the room
    /// open (a handle keeps its room running; this does not).
    pub fn version_watch(&self) -> VersionWatch {
        VersionWatch::of(&self.shown)
    }

    /// Which start of a room this handle reaches (see `version`).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Waits, at most `within`, until the room here has the log up to
    /// `seq`: a phone told of an event by one node may ask another node
    /// for its page, whose relay must have the event first. Whether it has.
    pub async fn reached(&self, seq: u64, within: std::time::Duration) -> bool {
        let mut heard = self.heard.clone();
        let reached = tokio::time::timeout(within, heard.wait_for(|at| *at >= seq))
            .await
            .is_ok_and(|waited| waited.is_ok());
        reached
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).await.ok()?;
        answer.await.ok()
    }

    pub async fn subscribe(
        &self,
        actor: Actor,
        since: Option<LogPosition>,
    ) -> Result<Subscription, EntryError> {
        self.ask(|reply| Command::Subscribe {
            actor,
            since,
            reply,
        })
        .await
        .unwrap_or(Err(EntryError::Unavailable))
    }

    /// Lets a participant in, if they are already in or joining is open.
    pub async fn join(&self, author: String) -> Result<(), EntryError> {
        self.ask(|reply| Command::Join { author, reply })
            .await
            .unwrap_or(Err(EntryError::Unavailable))
    }

    pub async fn act(
        &self,
        actor: Actor,
        id: ActionId,
        action: Action,
    ) -> Result<Outcome, ErrorCode> {
        self.ask(|reply| Command::Act {
            actor,
            id,
            action,
            join: false,
            reply,
        })
        .await
        .unwrap_or(Err(ErrorCode::Internal))
    }

    /// A participant's action, letting them in first if they are new (as
    /// their page does): a form's post, in one round.
    pub async fn join_and_act(
        &self,
        author: String,
        id: ActionId,
        action: Action,
    ) -> Result<Outcome, ErrorCode> {
        self.ask(|reply| Command::Act {
            actor: Actor::Participant(author),
            id,
            action,
            join: true,
            reply,
        })
        .await
        .unwrap_or(Err(ErrorCode::Internal))
    }

    /// The current state as `role` may see it, as a ready-to-send
    /// snapshot frame.
    pub async fn snapshot(&self, role: Role) -> Option<Frame> {
        self.ask(|reply| Command::Snapshot { role, reply }).await
    }

    /// What a page shows now; for a participant, joins them first (if they
    /// are in already or joining is open) and includes their own cards.
    pub async fn view(&self, actor: Actor) -> Result<PageView, EntryError> {
        self.ask(|reply| Command::View { actor, reply })
            .await
            .unwrap_or(Err(EntryError::Unavailable))
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Whether the room runs in this process (rather than being relayed
    /// from the node that owns it).
    pub fn is_local(&self) -> bool {
        self.local
    }

    /// A way to stop the room later that does not keep it running.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.tx.downgrade())
    }

    /// Whether two handles reach the same running room.
    #[cfg(test)]
    pub fn same_room(&self, other: &RoomHandle) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// Ends every connection to the room (its gathering was deleted). The
    /// room itself stops once the last handle on it is gone.
    pub async fn close(&self) {
        let _ = self.tx.send(Command::Close).await;
    }
}

/// The room's task: the rules' state, and what it needs to commit, send
/// and answer.
struct Room {
    id: String,
    store: Store,
    epoch: u64,
    /// What the rules decide on (see `rules::State`).
    state: State,
    ring: Ring,
    fanout: broadcast::Sender<Frame>,
    /// The live figures changed since they were last sent.
    tally_due: bool,
    /// The pre-screen queue as the consoles were last sent it.
    queue_sent: Vec<(CardId, String)>,
    /// The gathering as stored, to reload from if a round fails.
    row: GatheringRow,
    settings: Settings,
    /// A checkpoint must go with this round's commit: the last one holds
    /// words that were withdrawn in it.
    checkpoint_now: bool,
    /// Counts the changes to the view, so frames made from it can be
    /// reused until it changes again.
    version: u64,
    /// The last version stored and published, as the handles read it.
    shown: Arc<AtomicU64>,
    /// The log's position stored and published, as the handles read it.
    heard: watch::Sender<u64>,
    /// Snapshots and totals made since the last change: a room that two
    /// thousand phones reconnect to at once serialises its state once, not
    /// two thousand times.
    made: made::Made,
    /// The owner's lease token, checked by every commit when several nodes
    /// share the database (`None` on a node alone).
    fence: Option<u64>,
    /// The room must end after this round (`Command::Stop`).
    stopping: bool,
    /// The round in progress: its writes, the frames it will publish, and
    /// the answers it owes once it is committed.
    round: Batch,
    round_frames: Vec<Frame>,
    replies: Vec<Reply>,
    /// The statements steps' landscapes being recomputed off the task.
    jobs: landscapes::Jobs,
}

/// An answer owed to a caller once the round it belongs to is committed.
enum Reply {
    Act(
        oneshot::Sender<Result<Outcome, ErrorCode>>,
        Result<Outcome, ErrorCode>,
    ),
    Join(
        oneshot::Sender<Result<(), EntryError>>,
        Result<(), EntryError>,
    ),
    Subscribe(
        oneshot::Sender<Result<Subscription, EntryError>>,
        Actor,
        Option<LogPosition>,
        Result<(), EntryError>,
    ),
    Snapshot(oneshot::Sender<Frame>, Role),
    View(
        oneshot::Sender<Result<PageView, EntryError>>,
        Actor,
        Result<(), EntryError>,
    ),
}

/// Loads a gathering and starts its room task. `fence` is the lease token
/// of the node that owns the gathering, when several nodes share the
/// database: every commit checks it, and it makes the room's epoch new
/// for each new owner.
pub async fn start(
    store: Store,
    row: GatheringRow,
    settings: Settings,
    fence: Option<u64>,
) -> Result<RoomHandle, StorageError> {
    let (fanout, _) = broadcast::channel(settings.lag_limit.max(1));
    let started = std::time::Instant::now();
    let room = Room::open(store, row, fanout, settings, fence).await?;
    tracing::info!(
        gathering = %room.id,
        events_replayed = room.state.seq - room.state.checkpointed,
        cards = room.state.cards.len(),
        marks = room.state.marks.values().map(|m| m.len()).sum::<usize>(),
        "room loaded in {} ms",
        started.elapsed().as_millis()
    );
    let (tx, rx) = mpsc::channel(QUEUE);
    let shown = room.shown.clone();
    let heard = room.heard.subscribe();
    tokio::spawn(room.run(rx));
    let id = STARTED.fetch_add(1, Ordering::Relaxed);
    Ok(RoomHandle {
        tx,
        local: true,
        shown,
        id,
        heard,
    })
}

/// The server's clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn frame(seq: u64, msg: &ServerMsg) -> Frame {
    // Our own types always serialise; an empty frame would be ignored.
    let json = serde_json::to_string(msg).unwrap_or_default();
    Frame {
        seq,
        json: json.into(),
        sequenced: true,
        audience: Audience::Everyone,
    }
}

/// The pre-screen queue, whole, for the facilitators' consoles alone: the
/// words of statements nobody else may read until they are let in.
fn queue_frame(seq: u64, queue: &[(CardId, String)]) -> Frame {
    let msg = ServerMsg::Queue {
        queue: queue.to_vec(),
    };
    Frame {
        audience: Audience::Facilitators,
        ..live_frame(seq, &msg)
    }
}

/// A frame outside the log (live figures, totals): sent whatever a view
/// has seen.
fn live_frame(seq: u64, msg: &ServerMsg) -> Frame {
    Frame {
        sequenced: false,
        ..frame(seq, msg)
    }
}

fn event_frame(seq: u64, event: &Event) -> Frame {
    frame(
        seq,
        &ServerMsg::Event {
            seq,
            event: event.clone(),
        },
    )
}
impl Room {
    /// Loads a room's state from storage, ready to run.
    async fn open(
        store: Store,
        row: GatheringRow,
        fanout: broadcast::Sender<Frame>,
        settings: Settings,
        fence: Option<u64>,
    ) -> Result<Room, StorageError> {
        let (state, ring) = load::load(&store, &row).await?;
        let mut room = Room {
            id: row.id.clone(),
            store,
            // A new owner, a new epoch: views that reconnect to it start
            // from a snapshot of what it loaded.
            epoch: row.epoch.wrapping_add(fence.unwrap_or(0)),
            state,
            ring,
            fanout,
            tally_due: false,
            queue_sent: Vec::new(),
            round: Batch {
                gathering: row.id.clone(),
                ops: Vec::new(),
                fence,
            },
            fence,
            stopping: false,
            row,
            settings,
            checkpoint_now: false,
            version: 0,
            shown: Arc::default(),
            heard: watch::channel(0).0,
            made: made::Made::default(),
            round_frames: Vec::new(),
            replies: Vec::new(),
            jobs: landscapes::Jobs::default(),
        };
        room.refresh_tally();
        room.heard.send_replace(room.state.seq);
        Ok(room)
    }

    /// Serves commands, and flushes the live figures a few times a second,
    /// until the room has been idle with nobody watching for `IDLE`; then it
    /// closes its queue, finishes what was already sent, and ends, and the
    /// hub starts it afresh from storage when needed. A long-running
    /// instance thus holds only the gatherings in use.
    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        let mut flush = tokio::time::interval(TALLY_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_command = tokio::time::Instant::now();
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(command) => {
                        // Everything already waiting joins this round.
                        self.handle(command).await;
                        while self.replies.len() < ROUND {
                            match rx.try_recv() {
                                Ok(command) => self.handle(command).await,
                                Err(_) => break,
                            }
                        }
                        if !self.finish_round().await || self.stopping {
                            break;
                        }
                        last_command = tokio::time::Instant::now();
                    }
                    None => break,
                },
                Some(done) = self.jobs.rx.recv() => {
                    if let Some(step) = self.jobs.finish(&mut self.state, done) {
                        self.send_landscape(step);
                    }
                }
                _ = flush.tick() => {
                    self.flush_live();
                    self.jobs.start_due(&mut self.state);
                    if last_command.elapsed() > IDLE && self.fanout.receiver_count() == 0 {
                        rx.close();
                        while let Some(command) = rx.recv().await {
                            self.handle(command).await;
                            if !self.finish_round().await {
                                break;
                            }
                        }
                        break;
                    }
                }
            }
        }
    }

    /// Decides one command against the round's state, staging its writes;
    /// its answer waits for the round's commit.
    async fn handle(&mut self, command: Command) {
        let reply = match command {
            Command::Subscribe {
                actor,
                since,
                reply,
            } => {
                let joined = match &actor {
                    Actor::Participant(author) => self.join(author),
                    _ => Ok(()),
                };
                Reply::Subscribe(reply, actor, since, joined)
            }
            Command::Join { author, reply } => {
                let joined = self.join(&author);
                Reply::Join(reply, joined)
            }
            Command::Act {
                actor,
                id,
                action,
                join,
                reply,
            } => {
                let joined = match &actor {
                    Actor::Participant(author) if join => self.join(author),
                    _ => Ok(()),
                };
                let result = match joined {
                    Ok(()) => self.act(actor, id, action).await,
                    Err(e) => Err(e.refusal()),
                };
                Reply::Act(reply, result)
            }
            Command::Snapshot { role, reply } => Reply::Snapshot(reply, role),
            Command::View { actor, reply } => {
                let joined = match &actor {
                    Actor::Participant(author) => self.join(author),
                    _ => Ok(()),
                };
                Reply::View(reply, actor, joined)
            }
            Command::Close => {
                // A fresh channel in place of the one every connection
                // listens on: their streams end, and so do they.
                self.fanout = broadcast::channel(1).0;
                return;
            }
            Command::Stop => {
                self.stopping = true;
                return;
            }
        };
        self.replies.push(reply);
    }

    /// Commits the round in one batch, then publishes its frames and
    /// answers everyone in it. If the commit fails, nothing of the round was
    /// stored or shown: the room reloads itself from storage and refuses the
    /// round's changes. Returns false if the room cannot go on.
    async fn finish_round(&mut self) -> bool {
        let groups_changed = std::mem::take(&mut self.state.groups_dirty);
        let groups_told = std::mem::take(&mut self.state.groups_notify);
        let checkpoint = self.checkpoint_now
            || groups_changed
            || checkpoint::due(
                self.state.seq,
                self.state.checkpointed,
                self.settings.checkpoint_every,
            );
        if checkpoint {
            let s = &self.state;
            let made =
                Checkpoint::of(s.seq, &s.view, &s.reveals, &s.shown).with_groups(s.groups.as_ref());
            match serde_json::to_string(&made) {
                Ok(body) => self.round.ops.push(Op::Checkpoint { seq: s.seq, body }),
                Err(e) => {
                    tracing::error!(gathering = %self.id, "a checkpoint could not be made: {e}")
                }
            }
        }
        let empty = self.batch();
        let batch = std::mem::replace(&mut self.round, empty);
        let frames = std::mem::take(&mut self.round_frames);
        self.state.pending.clear();
        let committed = if batch.ops.is_empty() {
            Ok(())
        } else {
            self.store.commit(batch).await
        };
        if let Err(StorageError::Fenced(_)) = &committed {
            // Another node owns the gathering now: nothing of this round
            // was stored, and this room may never write again. Its callers
            // are refused, its connections end, and they reconnect to the
            // new owner.
            tracing::warn!(gathering = %self.id, "this node lost the gathering's lease: its room here stops");
            for reply in std::mem::take(&mut self.replies) {
                if let Reply::Act(tx, _) = reply {
                    let _ = tx.send(Err(ErrorCode::Internal));
                }
            }
            return false;
        }
        let failed = committed.is_err();
        if checkpoint && !failed {
            self.state.checkpointed = self.state.seq;
            self.checkpoint_now = false;
        }
        if let Err(e) = committed {
            tracing::error!(gathering = %self.id, "a round of changes failed and was not stored: {e}");
            match Room::open(
                self.store.clone(),
                self.row.clone(),
                self.fanout.clone(),
                self.settings,
                self.fence,
            )
            .await
            {
                Ok(fresh) => {
                    let replies = std::mem::take(&mut self.replies);
                    // What was made from the room before stays behind: the
                    // version goes on growing, on the handles' same counter.
                    let (version, shown) = (self.version, self.shown.clone());
                    let heard = std::mem::replace(&mut self.heard, watch::channel(0).0);
                    *self = fresh;
                    self.replies = replies;
                    self.version = version + 1;
                    self.shown = shown;
                    heard.send_replace(self.state.seq);
                    self.heard = heard;
                }
                Err(e) => {
                    tracing::error!(gathering = %self.id, "reloading the room failed: {e}");
                    self.replies.clear();
                    return false;
                }
            }
        } else {
            self.heard.send_replace(self.state.seq);
            for frame in frames {
                self.ring.push(frame.clone());
                // No receivers is fine: nobody is watching right now.
                let _ = self.fanout.send(frame);
            }
            // Small groups whose boards changed: their members' phones
            // fetch their own part again, and nobody else hears of it.
            // Only the number travels, outside the log.
            for group in groups_told {
                let Some(members) = rules::groups::members_of(&self.state, group) else {
                    continue;
                };
                let frame = Frame {
                    audience: Audience::Members(members.into()),
                    ..live_frame(self.state.seq, &ServerMsg::Group { group })
                };
                let _ = self.fanout.send(frame);
            }
        }
        self.refresh_tally();
        self.shown.store(self.version, Ordering::Release);
        for reply in std::mem::take(&mut self.replies) {
            match reply {
                Reply::Act(tx, result) => {
                    let result = match result {
                        Ok(_) if failed => Err(ErrorCode::Internal),
                        other => other,
                    };
                    let _ = tx.send(result);
                }
                Reply::Join(tx, joined) => {
                    let _ = tx.send(if failed {
                        Err(EntryError::Unavailable)
                    } else {
                        joined
                    });
                }
                Reply::Subscribe(tx, actor, since, joined) => {
                    let answer = match joined {
                        _ if failed => Err(EntryError::Unavailable),
                        Ok(()) => Ok(self.subscription(&actor, since)),
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(answer);
                }
                Reply::Snapshot(tx, role) => {
                    let _ = tx.send(self.snapshot_frame(role));
                }
                Reply::View(tx, actor, joined) => {
                    let answer = match joined {
                        _ if failed => Err(EntryError::Unavailable),
                        Ok(()) => Ok(PageView {
                            at: self.position(),
                            gathering: self.shared_view(actor.role()),
                            mine: self.own_cards(&actor),
                            marks: self.own_marks(&actor),
                            group: match &actor {
                                Actor::Participant(author) => {
                                    rules::groups::board_for(&self.state, author)
                                }
                                _ => None,
                            },
                            now: now_ms(),
                            version: self.version,
                            waiting: match actor {
                                Actor::Facilitator => rules::waiting_by_step(&self.state),
                                _ => BTreeMap::new(),
                            },
                            ballot: match &actor {
                                Actor::Participant(author) => {
                                    rules::statements::ballot(&mut self.state, author)
                                }
                                _ => None,
                            },
                            queue: match actor {
                                Actor::Facilitator => rules::statements::queue(&self.state),
                                _ => Vec::new(),
                            },
                        }),
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(answer);
                }
            }
        }
        true
    }

    fn position(&self) -> LogPosition {
        LogPosition {
            epoch: self.epoch,
            seq: self.state.seq,
        }
    }

    /// The public state as a role may see it: facilitators see hidden
    /// cards (to show them again); nobody else receives their words.
    fn visible_to(&self, role: Role) -> GatheringView {
        match role {
            Role::Facilitator => self.state.view.clone(),
            Role::Screen | Role::Participant => self.state.view.redacted(),
        }
    }

    /// The whole state as `role` may see it, made once per change of the
    /// room for everyone who needs it.
    fn snapshot_frame(&self, role: Role) -> Frame {
        let audience = match role {
            Role::Facilitator => 0,
            Role::Screen => 1,
            Role::Participant => 2,
        };
        self.made.remember(
            self.version,
            |made| &mut made.snapshots[audience],
            || {
                let mut gathering = self.visible_to(role);
                // A phone is told its own place in its page; the room's
                // landscape is the screen's and the console's.
                if role == Role::Participant {
                    for board in gathering.statements.values_mut() {
                        board.landscape = hearth_core::landscape::Landscape::empty();
                    }
                }
                frame(
                    self.state.seq,
                    &ServerMsg::Snapshot {
                        at: self.position(),
                        gathering,
                        now: now_ms(),
                    },
                )
            },
        )
    }

    /// The state as `role` may see it, for pages: made once per change
    /// of the room, shared by every page until then.
    fn shared_view(&self, role: Role) -> Arc<GatheringView> {
        let audience = usize::from(role != Role::Facilitator);
        self.made.remember(
            self.version,
            |made| &mut made.views[audience],
            || Arc::new(self.visible_to(role)),
        )
    }

    /// Every step's totals, one frame each, made once per change of the
    /// room.
    fn totals_frames(&self) -> Vec<Frame> {
        self.made.remember(
            self.version,
            |made| &mut made.totals,
            || {
                self.state
                    .view
                    .totals
                    .iter()
                    .map(|(step, totals)| {
                        live_frame(
                            self.state.seq,
                            &ServerMsg::Totals {
                                step: *step,
                                totals: totals.clone(),
                            },
                        )
                    })
                    .collect()
            },
        )
    }

    fn batch(&self) -> Batch {
        Batch {
            gathering: self.id.clone(),
            ops: Vec::new(),
            fence: self.fence,
        }
    }

    /// What a new connection starts from, once its round is committed.
    fn subscription(&self, actor: &Actor, since: Option<LogPosition>) -> Subscription {
        let mut catch_up = self.catch_up(since, actor.role());
        catch_up.push(self.tally_frame());
        // Totals are outside the log: a view that caught up on events gets
        // them whole (a snapshot already holds them), and so do landscapes
        // (to the screen and the console).
        if catch_up.len() > 1 || since.is_some() {
            catch_up.extend(self.totals_frames());
            if actor.role() != Role::Participant {
                catch_up.extend(
                    self.state
                        .view
                        .statements
                        .keys()
                        .filter_map(|s| self.landscape_frame(*s)),
                );
            }
        }
        // A console starts from the queue as it is now: its page may have
        // been made a moment before.
        if actor.role() == Role::Facilitator
            && rules::statements::is_statements(&self.state.view, self.state.view.current)
        {
            let queue = rules::statements::queue(&self.state);
            catch_up.push(queue_frame(self.state.seq, &queue));
        }
        Subscription {
            catch_up,
            seq: self.state.seq,
            events: self.fanout.subscribe(),
            mine: self.own_cards(actor),
            marks: self.own_marks(actor),
        }
    }

    fn own_cards(&self, actor: &Actor) -> Vec<OwnCard> {
        let Actor::Participant(author) = actor else {
            return Vec::new();
        };
        self.state
            .arrival
            .iter()
            .filter_map(|id| {
                let card = self.state.cards.get(id).filter(|c| &c.author == author)?;
                Some(OwnCard {
                    id: id.clone(),
                    step: card.step,
                    text: card.text.clone(),
                    place: card.place.clone(),
                    sensitive: card.sensitive,
                    revealed: card.revealed_seq.is_some(),
                })
            })
            .collect()
    }

    fn own_marks(&self, actor: &Actor) -> Vec<Mark> {
        let Actor::Participant(author) = actor else {
            return Vec::new();
        };
        let mut marks: Vec<Mark> = self
            .state
            .marks
            .get(author)
            .into_iter()
            .flatten()
            .filter_map(|(target, value)| Mark::from_parts(target, *value))
            .collect();
        marks.sort_by_key(|m| m.target());
        marks
    }

    /// Exactly the frames a view at `since` missed, or a snapshot when the
    /// ring no longer holds them or the epoch changed.
    fn catch_up(&self, since: Option<LogPosition>, role: Role) -> Vec<Frame> {
        since
            .and_then(|at| self.ring.since(at, self.position()))
            .unwrap_or_else(|| vec![self.snapshot_frame(role)])
    }

    /// Lets a participant in (see `rules::join`); storing them joins the
    /// round.
    fn join(&mut self, author: &str) -> Result<(), EntryError> {
        if let Some(op) = rules::join(&mut self.state, author)? {
            self.round.ops.push(op);
        }
        Ok(())
    }

    /// Recomputes the live figures; they go out with the next flush.
    fn refresh_tally(&mut self) {
        if rules::refresh_tally(&mut self.state) {
            self.tally_due = true;
            self.version += 1;
        }
    }

    /// Sends the live figures, the totals and the pre-screen queue that
    /// changed since last time.
    fn flush_live(&mut self) {
        if std::mem::take(&mut self.tally_due) {
            let _ = self.fanout.send(self.tally_frame());
        }
        let queue = rules::statements::queue(&self.state);
        if queue != self.queue_sent {
            let _ = self.fanout.send(queue_frame(self.state.seq, &queue));
            self.queue_sent = queue;
        }
        for (step, totals) in rules::due_totals(&mut self.state) {
            self.version += 1;
            let msg = ServerMsg::Totals { step, totals };
            let _ = self.fanout.send(live_frame(self.state.seq, &msg));
        }
        self.shown.store(self.version, Ordering::Release);
    }

    /// A statements step's landscape, for the screen and the console.
    fn landscape_frame(&self, step: StepId) -> Option<Frame> {
        let landscape = self.state.view.statements.get(&step)?.landscape.clone();
        Some(Frame {
            audience: Audience::NotPhones,
            ..live_frame(self.state.seq, &ServerMsg::Landscape { step, landscape })
        })
    }

    /// Sends a recomputed landscape: a change of the room's view.
    fn send_landscape(&mut self, step: StepId) {
        if let Some(frame) = self.landscape_frame(step) {
            self.version += 1;
            let _ = self.fanout.send(frame);
            self.shown.store(self.version, Ordering::Release);
        }
    }

    fn tally_frame(&self) -> Frame {
        live_frame(
            self.state.seq,
            &ServerMsg::Tally {
                tally: self.state.view.tally,
            },
        )
    }

    /// Adds a decision to the round: its writes to the batch, its events
    /// as frames to publish once the round is committed. The rules have
    /// applied the events to the state already (later actions in the round
    /// decide on them); nobody is shown them before the commit.
    fn stage(&mut self, decision: rules::Decision) {
        self.round.ops.extend(decision.ops);
        for (seq, event) in &decision.events {
            self.round_frames.push(event_frame(*seq, event));
            self.version += 1;
        }
        if let Some(at) = decision.cut {
            self.ring.cut(at);
        }
        self.checkpoint_now |= decision.checkpoint;
    }

    /// Decides one action by the rules, and stages what it changes: its
    /// writes join the round's batch, its events wait for the commit.
    async fn act(
        &mut self,
        actor: Actor,
        id: ActionId,
        action: Action,
    ) -> Result<Outcome, ErrorCode> {
        let verdict = {
            let mut rng = rand::rng();
            let mut inputs = Inputs {
                now_ms: now_ms(),
                rng: &mut rng,
            };
            rules::decide(&mut self.state, &mut inputs, &actor, &id, action)
        };
        match verdict {
            Ok(Verdict::Decided(decision)) => {
                let outcome = decision.outcome.clone();
                self.stage(decision);
                Ok(outcome)
            }
            // A retry: answer with what the first attempt produced.
            Ok(Verdict::Stored) => {
                match self
                    .store
                    .applied_outcome(&self.id, actor.key(), id.as_str())
                    .await
                {
                    Ok(Some(outcome)) => Ok(rules::restored(&self.state, outcome)),
                    Ok(None) => Err(ErrorCode::Internal),
                    Err(e) => {
                        tracing::error!(gathering = %self.id, "reading an applied action failed: {e}");
                        Err(ErrorCode::Internal)
                    }
                }
            }
            Err(Refusal::Code(code)) => Err(code),
            Err(e @ Refusal::Unwritable(_)) => {
                tracing::error!(gathering = %self.id, "an action failed and changed nothing: {e}");
                Err(ErrorCode::Internal)
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Frame;

    /// A sequenced frame of the log for the room's unit tests.
    pub fn frame(seq: u64) -> Frame {
        Frame {
            seq,
            json: format!("{{\"seq\":{seq}}}").into(),
            sequenced: true,
            audience: super::Audience::Everyone,
        }
    }
}
