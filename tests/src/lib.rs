//! The test harness: Hearth as its users meet it.
//!
//! `TestServer` starts the real `hearth` binary with its own database (a
//! SQLite file, or with `HEARTH_TEST_POSTGRES` a fresh PostgreSQL database:
//! `store.rs`), and can kill it (`SIGKILL`) and start it again on the same
//! address and database. `Gathering` holds the links a facilitator gets;
//! `Device` is one phone (its own device token); `Client` is a typed
//! WebSocket view that follows the event log exactly as the browser does.
//! Tests written with these read like a session in a room and never reach
//! into the server's internals.
//!
//! Tests wait for facts, never for time: a line in the server's log, a
//! message, a log position, the answer to a ping sent after everything
//! else. A deadline (`PATIENCE`) only turns a hang into a failure, so it is
//! generous: a loaded machine is slow, not wrong.

use futures_util::{SinkExt, StreamExt};
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::{GatheringView, LogPosition};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::marks::Mark;
use hearth_core::page::{ConsolePage, ParticipantPage, DEVICE_COOKIE};
use hearth_core::protocol::{Action, ClientMsg, Outcome, OwnCard, ServerMsg};
use hearth_core::reflection::ReflectionText;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub mod store;
pub use store::{on_postgres, say, skip_on_postgres, Store};

/// Anything a test helper can fail with.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long a test waits for a fact before it fails: a guard against a
/// hang, not a wait in itself.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A count several tasks add to (acknowledged posts, say), that a test can
/// wait on: it is told of each addition, so it waits for the fact, not
/// for time, with `PATIENCE` as the guard.
#[derive(Default)]
pub struct Counter {
    n: std::sync::atomic::AtomicUsize,
    added: tokio::sync::Notify,
}

impl Counter {
    pub fn add(&self) {
        self.n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.added.notify_waiters();
    }

    pub fn get(&self) -> usize {
        self.n.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until the count is at least `at_least`.
    pub async fn reach(&self, at_least: usize) -> Result<()> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let added = self.added.notified();
            tokio::pin!(added);
            // Listening before looking: an addition in between is not missed.
            added.as_mut().enable();
            let n = self.get();
            if n >= at_least {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, added).await.is_err() {
                return Err(format!("only {n} were counted, expected {at_least}").into());
            }
        }
    }
}

/// What the server prints once it is listening, before the address it got.
const LISTENING: &str = "Hearth is running. Open http://";

/// The workspace root (where Leptos.toml lives).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running Hearth with its own database.
pub struct TestServer {
    bin: PathBuf,
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// Its database.
    store: Store,
    /// Where the server listens: the port the system gave its first start,
    /// asked for again on every restart (phones come back to it).
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    /// Where the current run's lines begin in the log file.
    run_from: usize,
    /// Flags added to every start, e.g. `--lag-limit 8`.
    extra: Vec<String>,
    /// Environment variables added to every start, e.g. `LEPTOS_SITE_ROOT`.
    env: Vec<(String, String)>,
}

impl TestServer {
    /// Starts `bin` (the `hearth` binary) on a free port with a fresh
    /// database: the server binds port 0 and says which port it got.
    pub async fn start(bin: impl Into<PathBuf>) -> Result<Self> {
        Self::start_with(bin, &[]).await
    }

    /// Starts the binary with extra flags.
    pub async fn start_with(bin: impl Into<PathBuf>, flags: &[&str]) -> Result<Self> {
        Self::start_with_env(bin, flags, &[]).await
    }

    /// Starts the binary with extra flags and environment variables.
    pub async fn start_with_env(
        bin: impl Into<PathBuf>,
        flags: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = Store::fresh(dir.path()).await?;
        Self::start_on(bin, store, dir, flags, env).await
    }

    /// Starts another node on this server's database (a PostgreSQL one:
    /// several nodes share it), with the same flags and environment.
    pub async fn beside(&self) -> Result<Self> {
        let flags: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Self::start_on(
            self.bin.clone(),
            self.store.clone(),
            tempfile::tempdir()?,
            &flags,
            &env,
        )
        .await
    }

    async fn start_on(
        bin: impl Into<PathBuf>,
        store: Store,
        dir: tempfile::TempDir,
        flags: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PATIENCE)
            .build()?;
        let mut server = Self {
            bin: bin.into(),
            child: None,
            dir,
            store,
            addr,
            base: String::new(),
            http,
            run_from: 0,
            extra: flags.iter().map(|f| (*f).to_owned()).collect(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        server.spawn().await?;
        Ok(server)
    }

    /// The database the server writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// What the server printed to its log file so far, over all its runs.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts the binary on `self.addr` (port 0 the first time) and waits
    /// for the line that says where it listens: from then on it accepts
    /// connections. Links name the same address (no `--public-url`: the
    /// server derives it from the address it bound).
    async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        self.run_from = usize::try_from(log.metadata()?.len())?;
        let root = workspace_root();
        let child = Command::new(&self.bin)
            .current_dir(&root)
            .arg("--addr")
            .arg(self.addr.to_string())
            .arg("--database")
            .arg(self.store.location())
            .arg("--config")
            .arg(root.join("Leptos.toml"))
            .args(&self.extra)
            .env("HEARTH_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let line = self.wait_for_log(LISTENING).await?;
        let open = line
            .split(LISTENING)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| format!("no address in {line:?}"))?;
        self.addr = open.parse()?;
        self.base = format!("http://{}", self.addr);
        Ok(())
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Waits until the current run of the server has logged a line
    /// containing `needle`, and returns that line. Fails if the server
    /// exits first.
    pub async fn wait_for_log(&mut self, needle: &str) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            let run = log.get(self.run_from..).unwrap_or_default();
            if let Some(line) = run.lines().find(|l| l.contains(needle)) {
                return Ok(line.to_owned());
            }
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    return Err(format!("hearth exited with {status}:\n{log}").into());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("hearth never logged {needle:?}:\n{log}").into());
            }
            // Polling a file: the line is the fact, this is how often to look.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server without warning (SIGKILL), as a crash would.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Kills the server and starts it again on the same address and database.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill()?;
        self.spawn().await
    }

    /// Starts a gathering the way the start page does, from a ready agenda
    /// (`blank`, `introduction`, `community`) or `template:<id>`, and reads
    /// the links the console shows.
    pub async fn create_gathering(&self, name: &str, agenda: &str) -> Result<Gathering> {
        create_gathering_at(
            &self.http,
            &self.base,
            &[("name", name), ("agenda", agenda)],
        )
        .await
    }

    /// The saved templates the start page offers.
    pub async fn templates(&self) -> Result<Vec<hearth_core::page::TemplateSummary>> {
        Ok(self
            .api::<hearth_core::page::StartInfo>("start", &[], None)
            .await?
            .templates)
    }

    /// Saves the agenda `console` runs as a template named `name`, and
    /// returns it as the start page lists it.
    pub async fn save_template(
        &self,
        console: &mut Client,
        name: &str,
    ) -> Result<hearth_core::page::TemplateSummary> {
        let name = hearth_core::words::Label::parse(name)?;
        console
            .act(Action::SaveTemplate { name: name.clone() })
            .await??;
        self.templates()
            .await?
            .into_iter()
            .find(|t| t.name == name.as_str())
            .ok_or_else(|| format!("no template named {name}").into())
    }

    /// Starts a gathering on an instance that asks for an organiser
    /// passphrase.
    pub async fn create_gathering_with_passphrase(
        &self,
        name: &str,
        agenda: &str,
        passphrase: &str,
    ) -> Result<Gathering> {
        let form = [
            ("name", name),
            ("agenda", agenda),
            ("passphrase", passphrase),
        ];
        create_gathering_at(&self.http, &self.base, &form).await
    }

    /// Calls one of the page-data endpoints under `/api`.
    pub async fn api<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        form: &[(&str, &str)],
        device: Option<&Device>,
    ) -> Result<T> {
        let body = self.api_text(name, form, device).await?;
        Ok(serde_json::from_str(&body)?)
    }

    /// Calls a page-data endpoint under `/api` and returns its body as sent,
    /// unparsed (the audit searches the raw text, not what a type kept).
    pub async fn api_text(
        &self,
        name: &str,
        form: &[(&str, &str)],
        device: Option<&Device>,
    ) -> Result<String> {
        let mut request = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .form(form);
        if let Some(device) = device {
            request = request.header(reqwest::header::COOKIE, device.cookie());
        }
        let response = request.send().await?;
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            return Err(format!("/api/{name} answered {status}: {body}").into());
        }
        Ok(body)
    }

    /// A participant's page data, as their phone would get it.
    pub async fn participant_page(
        &self,
        g: &Gathering,
        device: &Device,
    ) -> Result<ParticipantPage> {
        self.api("participant", &[("token", &g.join_token)], Some(device))
            .await
    }

    /// A GET with a device's cookie.
    pub async fn get(&self, path: &str, device: Option<&Device>) -> Result<reqwest::Response> {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(device) = device {
            request = request.header(reqwest::header::COOKIE, device.cookie());
        }
        Ok(request.send().await?)
    }

    /// Opens a WebSocket view at `path` (e.g. `/ws/screen/<secret>`).
    pub async fn connect(
        &self,
        path: &str,
        device: Option<&Device>,
        since: Option<LogPosition>,
    ) -> Result<Client> {
        self.connect_from(None, path, device, since).await
    }

    /// Opens a WebSocket view as a page from `origin` would (browsers always
    /// send their page's origin).
    pub async fn connect_from(
        &self,
        origin: Option<&str>,
        path: &str,
        device: Option<&Device>,
        since: Option<LogPosition>,
    ) -> Result<Client> {
        let mut request = self.ws_request(path, device, since)?;
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(origin)?);
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Client::open(socket, None, since).await
    }

    /// Opens a view like a phone whose network has stalled: a tiny receive
    /// buffer, and nothing is read until the test calls `sync`, `next` or
    /// `wait_for`.
    pub async fn connect_stalled(&self, path: &str) -> Result<Client> {
        let request = format!("ws://{}{path}", self.addr).into_client_request()?;
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(2048)?;
        let stream = socket.connect(self.addr).await?;
        let (socket, _) =
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)).await?;
        Ok(Client::new(socket, None, None))
    }

    /// Reconnects a view that was at `at` with state `view`, as the browser
    /// does: it asks only for what it missed and applies that to what it had.
    pub async fn reconnect(
        &self,
        path: &str,
        device: Option<&Device>,
        at: LogPosition,
        view: GatheringView,
    ) -> Result<Client> {
        let request = self.ws_request(path, device, Some(at))?;
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Client::open(socket, Some(view), Some(at)).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// Where a redirect points, if the response is one.
pub fn redirect_target(response: &reqwest::Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// What a facilitator gets when they start a gathering.
#[derive(Clone, Debug)]
pub struct Gathering {
    pub console_secret: String,
    pub screen_secret: String,
    pub join_token: String,
    pub code: String,
    pub page: ConsolePage,
}

impl Gathering {
    pub fn console_ws(&self) -> String {
        format!("/ws/console/{}", self.console_secret)
    }
    pub fn screen_ws(&self) -> String {
        format!("/ws/screen/{}", self.screen_secret)
    }
    pub fn participant_ws(&self) -> String {
        format!("/ws/p/{}", self.join_token)
    }
    /// The secret in the co-facilitator's link (the link's last part).
    pub fn cofacilitator_secret(&self) -> Result<String> {
        Ok(self
            .page
            .cofacilitator_url
            .rsplit('/')
            .next()
            .ok_or("no co-facilitator link")?
            .to_owned())
    }
}

/// One phone: a random device token, as the cookie would hold.
#[derive(Clone, Debug)]
pub struct Device {
    pub token: String,
}

static DEVICES: AtomicU64 = AtomicU64::new(1);

impl Device {
    pub fn new() -> Self {
        let n = DEVICES.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Self {
            token: format!("{:016x}{:016x}", n, nanos as u64),
        }
    }

    pub fn cookie(&self) -> String {
        format!("{DEVICE_COOKIE}={}", self.token)
    }
}

impl Default for Device {
    fn default() -> Self {
        Self::new()
    }
}

static ACTIONS: AtomicU64 = AtomicU64::new(1);
/// Payloads for `Client::sync`'s pings, unique in the process.
static PINGS: AtomicU64 = AtomicU64::new(1);

/// What a view reads off its socket.
enum Incoming {
    /// Boxed: a message is large and a pong is small.
    Message(Box<ServerMsg>),
    Pong(Vec<u8>),
}

/// A reflection for the first step (test texts are always valid).
pub fn reflection(text: &str) -> Action {
    reflection_at(StepId(1), text, Place::Board)
}

/// A reflection for a step, placed (in a column, under a story, …).
pub fn reflection_at(step: StepId, text: &str, place: Place) -> Action {
    match ReflectionText::parse(text) {
        Ok(text) => Action::AddReflection {
            step,
            text,
            place,
            sensitive: false,
        },
        Err(e) => panic!("test text {text:?} is not a valid reflection: {e}"),
    }
}

/// A fresh action id.
pub fn action_id() -> ActionId {
    let n = ACTIONS.fetch_add(1, Ordering::Relaxed);
    ActionId::parse(&format!("test-action-{n:08}"))
        .unwrap_or_else(|_| ActionId::from_random(n as u128))
}

/// A WebSocket view that keeps its own copy of the gathering, applying the
/// events it receives with the same code the browser uses.
pub struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub view: Option<GatheringView>,
    pub at: Option<LogPosition>,
    pub mine: Vec<OwnCard>,
    /// The participant's own marks, as last sent by the server.
    pub marks: Vec<Mark>,
    /// Every event sequence number received, in order (to check for gaps
    /// and repeats).
    pub events_seen: Vec<u64>,
    /// How many live-figure messages arrived.
    pub tallies_seen: usize,
    /// How many statements landscapes arrived (never to a phone).
    pub landscapes_seen: usize,
    /// How many snapshots arrived (the first, and any resynchronisation).
    pub snapshots_seen: usize,
    /// The pre-screen queue as last sent (a console's alone; `None` until
    /// one arrives), and how many were sent.
    pub queue: Option<Vec<(CardId, String)>>,
    pub queues_seen: usize,
    /// The groups whose news arrived ("its board changed"), in order: a
    /// phone is told only of its own group's.
    pub group_news: Vec<u32>,
    /// Every text message received, exactly as sent, when the client was
    /// opened with `TestServer::connect_as` (the anonymity audit searches
    /// them); `None` otherwise, so long-lived load clients keep no history.
    pub transcript: Option<Vec<String>>,
}

impl Client {
    fn new(
        socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
        view: Option<GatheringView>,
        at: Option<LogPosition>,
    ) -> Self {
        Self {
            socket,
            view,
            at,
            mine: Vec::new(),
            marks: Vec::new(),
            events_seen: Vec::new(),
            tallies_seen: 0,
            landscapes_seen: 0,
            snapshots_seen: 0,
            queue: None,
            queues_seen: 0,
            group_news: Vec::new(),
            transcript: None,
        }
    }

    /// A client that has read what the server sent on connecting (the
    /// server sends all of that before it reads anything, so the answer to
    /// a ping comes after it).
    async fn open(
        socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
        view: Option<GatheringView>,
        at: Option<LogPosition>,
    ) -> Result<Self> {
        let mut client = Self::new(socket, view, at);
        client.sync().await?;
        Ok(client)
    }

    /// Sends raw text (for malformed-input tests).
    pub async fn send_text(&mut self, text: &str) -> Result<()> {
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// Reads one server message, applying it to the local view.
    pub async fn next(&mut self, within: Duration) -> Result<ServerMsg> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Incoming::Message(msg) = self.receive(left).await? {
                return Ok(*msg);
            }
        }
    }

    /// Reads one message or pong; messages are applied to the local view.
    async fn receive(&mut self, within: Duration) -> Result<Incoming> {
        loop {
            let message = tokio::time::timeout(within, self.socket.next())
                .await
                .map_err(|_| "timed out")?;
            let text = match message {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Pong(payload))) => return Ok(Incoming::Pong(payload.to_vec())),
                Some(Ok(Message::Close(frame))) => {
                    return Err(format!("closed by the server: {frame:?}").into())
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => return Err("connection ended".into()),
            };
            if let Some(transcript) = self.transcript.as_mut() {
                transcript.push(text.as_str().to_owned());
            }
            let msg: ServerMsg = serde_json::from_str(text.as_str())
                .map_err(|e| format!("unreadable message ({e}): {text}"))?;
            self.absorb(&msg)?;
            return Ok(Incoming::Message(Box::new(msg)));
        }
    }

    /// Reads everything the server had sent this view by the time it read
    /// a ping sent now. The connection sends frames already waiting before
    /// it reads more from the peer, and answers a ping after what it sent
    /// before: so once the pong is here, so is every event of every action
    /// already answered, to anyone. (Live figures and totals go out on the
    /// room's next flush, after that: wait for them with `wait_for`.)
    pub async fn sync(&mut self) -> Result<()> {
        let token = PINGS.fetch_add(1, Ordering::Relaxed).to_be_bytes().to_vec();
        self.socket
            .send(Message::Ping(token.clone().into()))
            .await?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.receive(left).await {
                Ok(Incoming::Pong(payload)) if payload == token => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(format!("waiting for the answer to a ping: {e}").into()),
            }
        }
    }

    fn absorb(&mut self, msg: &ServerMsg) -> Result<()> {
        match msg {
            ServerMsg::Snapshot { at, gathering, .. } => {
                self.snapshots_seen += 1;
                self.at = Some(*at);
                self.view = Some(gathering.clone());
            }
            ServerMsg::Event { seq, event } => {
                let at = self
                    .at
                    .as_mut()
                    .ok_or("an event arrived before any snapshot")?;
                if *seq != at.seq + 1 {
                    return Err(format!("event {seq} arrived after {}", at.seq).into());
                }
                at.seq = *seq;
                self.events_seen.push(*seq);
                if let Some(view) = self.view.as_mut() {
                    view.apply(event);
                }
            }
            ServerMsg::Tally { tally } => {
                self.tallies_seen += 1;
                if let Some(view) = self.view.as_mut() {
                    view.tally = *tally;
                }
            }
            ServerMsg::Totals { step, totals } => {
                if let Some(view) = self.view.as_mut() {
                    view.totals.entry(*step).or_default().merge(totals.clone());
                }
            }
            ServerMsg::Landscape { step, landscape } => {
                self.landscapes_seen += 1;
                if let Some(view) = self.view.as_mut() {
                    view.statements.entry(*step).or_default().landscape = landscape.clone();
                }
            }
            ServerMsg::Mine { cards, marks } => {
                self.mine = cards.clone();
                self.marks = marks.clone();
            }
            ServerMsg::Queue { queue } => {
                self.queues_seen += 1;
                self.queue = Some(queue.clone());
            }
            ServerMsg::Group { group } => self.group_news.push(*group),
            _ => {}
        }
        Ok(())
    }

    /// Sends an action and waits for its answer, absorbing events meanwhile.
    pub async fn act(&mut self, action: Action) -> Result<Result<Outcome, ErrorCode>> {
        self.act_as(action_id(), action).await
    }

    /// Adds a reflection (valid test words) and returns its card's id.
    pub async fn add(
        &mut self,
        step: StepId,
        text: &str,
        place: Place,
    ) -> Result<hearth_core::ids::CardId> {
        match self.act(reflection_at(step, text, place)).await? {
            Ok(Outcome::Added { card }) => Ok(card.id),
            other => Err(format!("expected a card, got {other:?}").into()),
        }
    }

    /// Sends an action under a given id (to test retries).
    pub async fn act_as(
        &mut self,
        id: ActionId,
        action: Action,
    ) -> Result<Result<Outcome, ErrorCode>> {
        let text = serde_json::to_string(&ClientMsg::Act {
            id: id.clone(),
            action,
        })?;
        self.send_text(&text).await?;
        self.answer(&id).await
    }

    /// Waits for the answer to action `id`.
    pub async fn answer(&mut self, id: &ActionId) -> Result<Result<Outcome, ErrorCode>> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await? {
                ServerMsg::Ack { id: got, outcome } if &got == id => return Ok(Ok(outcome)),
                ServerMsg::Error {
                    id: Some(got),
                    code,
                } if &got == id => return Ok(Err(code)),
                _ => {}
            }
        }
    }

    /// Waits until the local view satisfies `check`.
    pub async fn wait_for(
        &mut self,
        what: &str,
        check: impl Fn(&GatheringView) -> bool,
    ) -> Result<()> {
        self.wait_until(what, |c| c.view.as_ref().is_some_and(&check))
            .await
    }

    /// Waits until the pre-screen queue last sent satisfies `check`.
    pub async fn wait_for_queue(
        &mut self,
        what: &str,
        check: impl Fn(&[(CardId, String)]) -> bool,
    ) -> Result<()> {
        self.wait_until(what, |c| c.queue.as_deref().is_some_and(&check))
            .await
    }

    /// Reads until what this client holds satisfies `check`.
    async fn wait_until(&mut self, what: &str, check: impl Fn(&Client) -> bool) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while !check(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("waited in vain for {what}").into());
            }
            self.next(left)
                .await
                .map_err(|e| format!("waiting for {what}: {e}"))?;
        }
        Ok(())
    }

    /// Waits until news of small group `group` has arrived.
    pub async fn wait_for_group_news(&mut self, group: u32) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while !self.group_news.contains(&group) {
            let left = deadline.saturating_duration_since(Instant::now());
            self.next(left)
                .await
                .map_err(|e| format!("waiting for group {group}'s news: {e}"))?;
        }
        Ok(())
    }

    /// Reads until the view has reached log position `at`, by events or
    /// by a snapshot.
    pub async fn reach(&mut self, at: LogPosition) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while self
            .at
            .is_none_or(|now| now.epoch != at.epoch || now.seq < at.seq)
        {
            let left = deadline.saturating_duration_since(Instant::now());
            self.next(left)
                .await
                .map_err(|e| format!("waiting for the log position {at:?}: {e}"))?;
        }
        Ok(())
    }

    /// The ids of a step's revealed cards in the local view, in board order.
    pub fn card_ids_of(&self, step: StepId) -> Vec<hearth_core::ids::CardId> {
        self.view
            .as_ref()
            .map(|v| v.cards_of(step).map(|c| c.id.clone()).collect())
            .unwrap_or_default()
    }

    /// The texts of the revealed cards in the local view.
    pub fn card_texts(&self) -> Vec<String> {
        self.view
            .as_ref()
            .map(|v| v.cards.iter().map(|c| c.text.clone()).collect())
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Helpers for the load tool and the crash test.

impl TestServer {
    /// The process id of the running server, if it is running (for reading
    /// its memory use from `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Asks the server to stop (SIGTERM), as a service manager does, and
    /// waits until it has. A server that has not stopped within `PATIENCE`
    /// is killed, and that is an error: stopping must not hang on open
    /// connections.
    pub async fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()?;
        if !sent.success() {
            return Err(format!("kill -TERM answered {sent}").into());
        }
        let deadline = Instant::now() + PATIENCE;
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                child.kill()?;
                child.wait()?;
                return Err("hearth did not stop after SIGTERM".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Starts the server again after an explicit `kill()`, on the same port
    /// and database (`restart()` is `kill()` followed by this).
    pub async fn start_again(&mut self) -> Result<()> {
        self.kill()?;
        self.spawn().await
    }
}

/// Starts a gathering on any Hearth at `base` (e.g. `http://127.0.0.1:3000`)
/// the way the start page does, and reads the links the console shows. The
/// same as `TestServer::create_gathering`, for a server this process did not
/// start. `http` must not follow redirects.
pub async fn create_gathering_at(
    http: &reqwest::Client,
    base: &str,
    form: &[(&str, &str)],
) -> Result<Gathering> {
    let response = http.post(format!("{base}/start")).form(form).send().await?;
    let location = redirect_target(&response).ok_or_else(|| {
        format!(
            "starting a gathering did not redirect (status {})",
            response.status()
        )
    })?;
    let console_secret = location
        .strip_prefix("/console/")
        .ok_or("no console link")?
        .to_owned();
    let response = http
        .post(format!("{base}/api/console"))
        .form(&[("secret", console_secret.as_str())])
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        return Err(format!("/api/console answered {status}: {body}").into());
    }
    let page: ConsolePage = serde_json::from_str(&body)?;
    let last_segment = |url: &str| url.rsplit('/').next().map(str::to_owned);
    Ok(Gathering {
        screen_secret: last_segment(&page.screen_url).ok_or("no screen link")?,
        join_token: last_segment(&page.entry.join_url).ok_or("no join link")?,
        console_secret,
        code: page.entry.code.to_string(),
        page,
    })
}

impl Client {
    /// Sends an action without waiting for its answer (to have several in
    /// flight at once).
    pub async fn send_act(&mut self, id: &ActionId, action: Action) -> Result<()> {
        let text = serde_json::to_string(&ClientMsg::Act {
            id: id.clone(),
            action,
        })?;
        self.send_text(&text).await
    }

    /// Waits for the next answer to any action, absorbing events meanwhile.
    pub async fn next_answer(
        &mut self,
        within: Duration,
    ) -> Result<(ActionId, Result<Outcome, ErrorCode>)> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await? {
                ServerMsg::Ack { id, outcome } => return Ok((id, Ok(outcome))),
                ServerMsg::Error { id: Some(id), code } => return Ok((id, Err(code))),
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers for the security tests.

impl TestServer {
    /// Posts a form (the response is not followed if it redirects).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await?)
    }

    /// Types a join code on the front door and says where it led, e.g.
    /// `/p/<token>` or `/?error=unknown&code=…`. With `forwarded_for`, the
    /// request carries `X-Forwarded-For` as a reverse proxy would add it.
    pub async fn join_by_code(&self, code: &str, forwarded_for: Option<&str>) -> Result<String> {
        let mut request = self
            .http
            .get(format!("{}/join", self.base))
            .query(&[("code", code)]);
        if let Some(address) = forwarded_for {
            request = request.header("x-forwarded-for", address);
        }
        Self::joined(request).await
    }

    /// Types a join code on the front door from a phone that has a device
    /// cookie (one that may have been in before), and says where it led.
    pub async fn join_by_code_as(&self, code: &str, device: &Device) -> Result<String> {
        let request = self
            .http
            .get(format!("{}/join", self.base))
            .query(&[("code", code)])
            .header(reqwest::header::COOKIE, device.cookie());
        Self::joined(request).await
    }

    /// Where a join request's redirect leads.
    async fn joined(request: reqwest::RequestBuilder) -> Result<String> {
        let response = request.send().await?;
        redirect_target(&response).ok_or_else(|| {
            format!("joining did not redirect (status {})", response.status()).into()
        })
    }

    /// The bytes of the database's files as they are on disk now, one
    /// after the other: everything a copy of the files holds (see
    /// `Store::files` for which files).
    pub async fn stored_bytes(&self) -> Result<Vec<u8>> {
        Ok(self
            .stored_files()
            .await?
            .into_iter()
            .flat_map(|(_, bytes)| bytes)
            .collect())
    }

    /// The database's files, each with its name: like `stored_bytes`, for
    /// saying which file held what.
    pub async fn stored_files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        self.store.files().await
    }

    /// Sends raw bytes as one HTTP/1.1 request on a fresh connection and
    /// returns the status code of the answer (for requests `reqwest` will
    /// not make, such as a chunked body of unannounced length).
    pub async fn raw_request(&self, request: &[u8]) -> Result<u16> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = TcpStream::connect(self.addr).await?;
        // The server may answer and close before the whole body is sent.
        let _ = stream.write_all(request).await;
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
                .await
                .map_err(|_| "no answer")??;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&answer);
        line.split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not an HTTP answer: {line:?}").into())
    }
}

impl Gathering {
    /// Where the facilitator's "delete this gathering" form posts.
    pub fn delete_path(&self) -> String {
        format!("/console/{}/delete", self.console_secret)
    }
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl Client {
    /// Waits for the server to end the connection (with or without a
    /// close frame); fails if it is still open after `within`.
    pub async fn ended(&mut self, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.socket.next()).await {
                Err(_) => return Err("the connection is still open".into()),
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Ok(()),
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers for the anonymity audit.

/// How a phone shows itself on the network, beyond its device cookie: the
/// address it connects from, its `User-Agent` and an `X-Forwarded-For` a
/// proxy might add. The anonymity audit gives each phone distinctive values
/// and then looks for them everywhere Hearth writes or shows anything.
#[derive(Clone, Debug, Default)]
pub struct Presence {
    /// The local address to connect from (any of `127.0.0.0/8` works on
    /// Linux's loopback); the system's choice if `None`.
    pub source: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
    pub forwarded_for: Option<String>,
}

impl Presence {
    /// The headers every request from this phone carries.
    fn headers(&self) -> Result<Vec<(&'static str, HeaderValue)>> {
        let mut headers = Vec::new();
        if let Some(agent) = &self.user_agent {
            headers.push(("user-agent", HeaderValue::from_str(agent)?));
        }
        if let Some(forwarded) = &self.forwarded_for {
            headers.push(("x-forwarded-for", HeaderValue::from_str(forwarded)?));
        }
        Ok(headers)
    }
}

impl TestServer {
    /// An HTTP client that presents itself as `presence` on every request
    /// (source address, `User-Agent`, `X-Forwarded-For`) and, like the
    /// server's own client, does not follow redirects.
    pub fn http_as(&self, presence: &Presence) -> Result<reqwest::Client> {
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in presence.headers()? {
            let value = reqwest::header::HeaderValue::from_bytes(value.as_bytes())?;
            headers.insert(name, value);
        }
        Ok(reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PATIENCE)
            .default_headers(headers)
            .local_address(presence.source)
            .build()?)
    }

    /// Opens a WebSocket view at `path` as `presence` would (its source
    /// address and headers), resuming from `since` if given, and keeps a
    /// transcript of every message it receives from the first
    /// (`Client::transcript`).
    pub async fn connect_as(
        &self,
        path: &str,
        device: Option<&Device>,
        presence: &Presence,
        since: Option<LogPosition>,
    ) -> Result<Client> {
        let mut request = self.ws_request(path, device, since)?;
        for (name, value) in presence.headers()? {
            request.headers_mut().insert(name, value);
        }
        let socket = tokio::net::TcpSocket::new_v4()?;
        if let Some(source) = presence.source {
            socket.bind(SocketAddr::new(source, 0))?;
        }
        let stream = socket.connect(self.addr).await?;
        let (socket, _) =
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)).await?;
        let mut client = Client::new(socket, None, since);
        client.transcript = Some(Vec::new());
        client.sync().await?;
        Ok(client)
    }
}

// ---------------------------------------------------------------------------
// Raw sockets, for frames a browser never sends.

/// A WebSocket with nothing on top: the test sends and reads frames itself.
pub type RawSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

impl TestServer {
    /// Opens a WebSocket at `path` without reading anything from it (for
    /// sending binary frames, pings and floods, which `Client` never does).
    pub async fn connect_raw(&self, path: &str, device: Option<&Device>) -> Result<RawSocket> {
        let request = self.ws_request(path, device, None)?;
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(socket)
    }

    /// The upgrade request for a WebSocket at `path`: with a device's
    /// cookie, and resuming from `since`, when given.
    fn ws_request(
        &self,
        path: &str,
        device: Option<&Device>,
        since: Option<LogPosition>,
    ) -> Result<tokio_tungstenite::tungstenite::handshake::client::Request> {
        let query = since
            .map(|at| format!("?epoch={}&seq={}", at.epoch, at.seq))
            .unwrap_or_default();
        let mut request = format!("ws://{}{path}{query}", self.addr).into_client_request()?;
        if let Some(device) = device {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(&device.cookie())?);
        }
        Ok(request)
    }
}
