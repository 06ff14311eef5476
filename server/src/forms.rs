//! The plain HTTP endpoints: starting a gathering, joining by code, taking
//! part without JavaScript (posting a reflection, a mark, withdrawing),
//! deleting a gathering or a saved template, the QR code, choosing a
//! language, and the device cookie. Each answers a form with a redirect (303), so the
//! browser's back button and reload never resend anything. Every form is
//! read strictly (`strict_form.rs`): a damaged one gets its own page's
//! clear error, and changes nothing.

use crate::backend::{cofacilitator_secret, screen_secret};
use crate::room::Actor;
use crate::secrets;
use crate::state::{AppState, ReachError};
use crate::storage::{Lookup, NewGathering, StorageError};
use crate::strict_form::{StrictForm, StrictQuery};
use crate::throttle::Answer;
use app::api::device_from_headers;
use app::library::ReadyAgenda;
use app::pages::start::{GatheringName, TEMPLATE_PREFIX};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::{GatheringView, StepSpec};
use hearth_core::ids::{ActionId, CardId, JoinCode, StepId, JOIN_CODE_LEN};
use hearth_core::landscape::Vote;
use hearth_core::locale::Locale;
use hearth_core::map::Spot;
use hearth_core::marks::{Mark, Tag, Target};
use hearth_core::page::DEVICE_COOKIE;
use hearth_core::protocol::{Action, Outcome};
use hearth_core::reflection::ReflectionText;
use hearth_core::words::WordsError;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

/// The form on the start page.
#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    name: String,
    /// A ready agenda's slug, or `template:<id>`.
    #[serde(default)]
    agenda: String,
    /// Needed only when the instance sets an organiser passphrase.
    #[serde(default)]
    passphrase: String,
}

/// Creates a gathering and sends the facilitator to its console.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    StrictForm(form): StrictForm<StartForm>,
) -> Response {
    let Ok(form) = form else {
        return Redirect::to("/start?error=malformed").into_response();
    };
    if let Some(refused) = organiser_refused(&state, peer, &headers, &form.passphrase) {
        return refused;
    }
    let name = match GatheringName::parse(&form.name) {
        Ok(name) => name,
        Err(WordsError::Missing) => return Redirect::to("/start?error=missing").into_response(),
        Err(WordsError::TooLong) => return Redirect::to("/start?error=too_long").into_response(),
    };
    // A ready agenda's words, and the screen's first language, are the
    // facilitator's; the console can change the screen's later.
    let locale = app::language::from_headers(&headers);
    let agenda = match agenda(&state, &form.agenda, locale).await {
        Ok(Some(agenda)) => agenda,
        Ok(None) => return Redirect::to("/start?error=agenda").into_response(),
        Err(e) => {
            tracing::error!("reading a template failed: {e}");
            return Redirect::to("/start?error=unavailable").into_response();
        }
    };
    let mut genesis = GatheringView::new(name.into(), agenda);
    genesis.screen.language = locale;
    open_console(&state, genesis).await
}

/// The answer to a start form without the organiser passphrase this
/// instance asks for (or after too many wrong ones), if that is the case.
pub(crate) fn organiser_refused(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    passphrase: &str,
) -> Option<Response> {
    let required = state.config.organiser_passphrase.as_ref()?;
    let source = state.source(peer, headers);
    let Ok(attempt) = state
        .organisers
        .attempt(source, None, passphrase.trim(), Instant::now())
    else {
        return Some(Redirect::to("/start?error=passphrase_busy").into_response());
    };
    let right = required.matches(passphrase);
    let answer = if right { Answer::Found } else { Answer::Missed };
    state.organisers.settle(attempt, answer, Instant::now());
    (!right).then(|| Redirect::to("/start?error=passphrase").into_response())
}

/// Creates a gathering from its first state and sends the facilitator to
/// its console.
pub(crate) async fn open_console(state: &AppState, mut genesis: GatheringView) -> Response {
    crate::room::seeds_at_start(&mut genesis, secrets::random_u64);
    match create(state, genesis).await {
        Ok(console_secret) => Redirect::to(&format!("/console/{console_secret}")).into_response(),
        Err(e) => {
            tracing::error!("creating a gathering failed: {e}");
            Redirect::to("/start?error=unavailable").into_response()
        }
    }
}

/// The agenda a start form chose: a ready one, or a saved template.
async fn agenda(
    state: &AppState,
    choice: &str,
    locale: Locale,
) -> Result<Option<Vec<StepSpec>>, StorageError> {
    if let Some(id) = choice.strip_prefix(TEMPLATE_PREFIX) {
        return Ok(state.store.template(id).await?.map(|t| t.agenda));
    }
    let ready = if choice.is_empty() {
        Some(ReadyAgenda::Blank)
    } else {
        ReadyAgenda::from_slug(choice)
    };
    Ok(ready.map(|a| a.steps(locale)))
}

async fn create(state: &AppState, genesis: GatheringView) -> Result<String, StorageError> {
    let console_secret = secrets::token(20);
    let code = fresh_code(state).await?;
    let mut salt = vec![0u8; 16];
    secrets::fill(&mut salt);
    let created_at = crate::storage::unix_now();
    state
        .store
        .create_gathering(NewGathering {
            id: secrets::token(16),
            console_hash: secrets::hash(&console_secret),
            cofacilitator_hash: secrets::hash(&cofacilitator_secret(&console_secret)),
            screen_hash: secrets::hash(&screen_secret(&cofacilitator_secret(&console_secret))),
            join_token: secrets::token(16),
            code,
            salt,
            epoch: secrets::random_u64() >> 12,
            genesis,
            created_at,
        })
        .await?;
    Ok(console_secret)
}

/// A join code no open gathering uses.
async fn fresh_code(state: &AppState) -> Result<JoinCode, StorageError> {
    loop {
        let mut indices = [0usize; JOIN_CODE_LEN];
        for i in &mut indices {
            *i = (secrets::random_u64() % hearth_core::ids::JOIN_CODE_ALPHABET.len() as u64)
                as usize;
        }
        let code = JoinCode::from_indices(indices);
        if !state.store.code_in_use(&code).await? {
            return Ok(code);
        }
    }
}

/// The join form's query.
#[derive(Deserialize)]
pub struct JoinQuery {
    #[serde(default)]
    code: String,
}

/// Turns a typed code into the participant page, or back to the front door
/// with a reason and what was typed. Wrong codes are throttled (see
/// `throttle.rs`); a code that is not even the shape of one is not a guess
/// and is not counted. The join link (the QR code) never comes this way,
/// so no throttle ever stands in front of it.
pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    StrictQuery(q): StrictQuery<JoinQuery>,
) -> Response {
    let Ok(q) = q else {
        return Redirect::to("/?error=format").into_response();
    };
    let back = |reason: &str| {
        let typed: String = q
            .code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        Redirect::to(&format!("/?error={reason}&code={typed}")).into_response()
    };
    let Ok(code) = JoinCode::parse(&q.code) else {
        return back("format");
    };
    let source = state.source(peer, &headers);
    // A phone that was in before says so with its device cookie.
    let device = device_from_headers(&headers);
    let Ok(attempt) = state
        .joins
        .attempt(source, device.as_deref(), code.as_str(), Instant::now())
    else {
        return back("busy");
    };
    let (answer, response) = match state.reach(Lookup::Code(&code)).await {
        Ok((row, room)) => match room.view(Actor::Screen).await {
            Ok(page) if !page.gathering.ended => {
                // A locked gathering still lets back in those already in;
                // the participant page decides that with the device cookie.
                let page = format!("/p/{}", row.join_token);
                (Answer::Found, Redirect::to(&page).into_response())
            }
            Ok(_) => (Answer::Found, back("closed")),
            Err(_) => (Answer::Unanswered, back("busy")),
        },
        Err(ReachError::NotFound) => (Answer::Missed, back("unknown")),
        Err(ReachError::Unavailable(e)) => {
            tracing::error!("looking up a join code failed: {e}");
            (Answer::Unanswered, back("busy"))
        }
    };
    state.joins.settle(attempt, answer, Instant::now());
    response
}

/// Deletes a gathering at once, with everything in it, at its
/// facilitator's request (the console secret is the authority), and ends
/// every connection to it. Sent twice, the second finds nothing and says so.
pub async fn delete(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    let row = match state
        .store
        .find_gathering(Lookup::ConsoleHash(&secrets::hash(&secret)))
        .await
    {
        Ok(Some(row)) => row,
        Ok(None) => return Redirect::to("/start?notice=gone").into_response(),
        Err(e) => {
            tracing::error!("finding a gathering to delete failed: {e}");
            return Redirect::to("/start?error=delete_failed").into_response();
        }
    };
    if let Err(e) = state.store.delete_gathering(&row.id).await {
        tracing::error!("deleting a gathering failed: {e}");
        return Redirect::to("/start?error=delete_failed").into_response();
    }
    state.hub.forget(&row.id).await;
    state.shared_parts.forget(&row.join_token);
    Redirect::to("/start?notice=deleted").into_response()
}

/// The start page's "delete this template" confirmation.
#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    template: String,
    /// Needed only when the instance sets an organiser passphrase.
    #[serde(default)]
    passphrase: String,
}

/// Deletes a saved template once a facilitator has confirmed it on the
/// start page. Anyone who may start a gathering may tidy the templates,
/// so an instance with an organiser passphrase asks for it here too.
pub async fn delete_template(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    StrictForm(form): StrictForm<TemplateForm>,
) -> Response {
    let Ok(form) = form else {
        return Redirect::to("/start?error=malformed").into_response();
    };
    if let Some(refused) = organiser_refused(&state, peer, &headers, &form.passphrase) {
        return refused;
    }
    let failed = |e: StorageError| {
        tracing::error!("deleting a template failed: {e}");
        Redirect::to("/start?error=unavailable").into_response()
    };
    match state.store.template(form.template.trim()).await {
        Ok(Some(template)) => match state.store.delete_template(&template.id).await {
            Ok(()) => Redirect::to("/start?notice=template_deleted").into_response(),
            Err(e) => failed(e),
        },
        Ok(None) => Redirect::to("/start?notice=template_gone").into_response(),
        Err(e) => failed(e),
    }
}

/// A reflection posted by the plain HTML form. Every field is read as text
/// and checked here, so a damaged post gets our own clear answer.
#[derive(Deserialize)]
pub struct ReflectForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    text: String,
    /// The column (or side) chosen, if the step has columns.
    #[serde(default)]
    column: String,
    /// Set by the form of a "moving towards" step.
    #[serde(default)]
    toward: String,
    /// What a "towards" moves away from (optional).
    #[serde(default)]
    from: String,
    /// The story a reframe sits under.
    #[serde(default)]
    under: String,
    /// A content note ("on" when ticked).
    #[serde(default)]
    sensitive: String,
}

impl ReflectForm {
    /// Where the reflection goes, from the form's fields; the room checks
    /// that it fits the step.
    fn place(&self) -> Result<Place, ErrorCode> {
        let under = self.under.trim();
        let column = self.column.trim();
        if !under.is_empty() {
            let card = CardId::parse(under).map_err(|_| ErrorCode::Malformed)?;
            Ok(Place::Under { card })
        } else if !column.is_empty() {
            let column = column.parse().map_err(|_| ErrorCode::Malformed)?;
            Ok(Place::Column { column })
        } else if !self.toward.is_empty() {
            let from = match self.from.trim() {
                "" => None,
                from => Some(ReflectionText::parse(from)?),
            };
            Ok(Place::Toward { from })
        } else {
            Ok(Place::Board)
        }
    }
}

/// Stores a reflection sent without JavaScript, then shows it was received.
pub async fn reflect(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    StrictForm(form): StrictForm<ReflectForm>,
) -> Response {
    let back = Back::to(&token, &headers);
    let Ok(form) = form else {
        return back.error(ErrorCode::Malformed);
    };
    let (Ok(id), Ok(step)) = (ActionId::parse(&form.id), form.step.parse::<u32>()) else {
        return back.error(ErrorCode::Malformed);
    };
    let text = match ReflectionText::parse(&form.text) {
        Ok(text) => text,
        Err(e) => return back.error(e.into()),
    };
    let place = match form.place() {
        Ok(place) => place,
        Err(code) => return back.error(code),
    };
    let action = Action::AddReflection {
        step: StepId(step),
        text,
        place,
        sensitive: !form.sensitive.is_empty(),
    };
    match act_as_participant(&state, &token, &headers, id, action).await {
        // Without the script, a page of its own says the words arrived.
        Ok(Outcome::Added { card }) if !back.parts => {
            Redirect::to(&format!("/p/{token}/received?card={}", card.id.as_str())).into_response()
        }
        // The card's id is the phone's own to know (it wrote it).
        Ok(Outcome::Added { card }) => {
            back.done(&format!("received&card={}", card.id.as_str()), "")
        }
        Ok(_) => back.error(ErrorCode::Internal),
        Err(response) => response,
    }
}

/// A mark posted by a plain form: a point on a spectrum, a tag on a line,
/// dots, a resonance or a place on the map, as `marks::Mark` has them.
/// Every field is text, read and checked here; the room checks the rest
/// (an open step, a revealed card, a place on the map's axes).
#[derive(Deserialize)]
pub struct MarkForm {
    /// `spectrum`, `tag`, `vote`, `resonate` or `place`.
    #[serde(default)]
    mark: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    card: String,
    /// A spectrum point (0 to `SPECTRUM_MAX`).
    #[serde(default)]
    at: String,
    #[serde(default)]
    line: String,
    /// A tag's number in `Tag::ALL`, or empty for none.
    #[serde(default)]
    tag: String,
    #[serde(default)]
    dots: String,
    /// `true` or `false`.
    #[serde(default)]
    on: String,
    /// A mini-map button's place, `<across>,<up>`.
    #[serde(default)]
    spot: String,
    /// The two lists' places, used when no mini-map button was pressed.
    #[serde(default)]
    across: String,
    #[serde(default)]
    up: String,
    /// Set by a "take it back" button.
    #[serde(default)]
    take_back: String,
    /// An answer to a statement: `agree`, `disagree` or `pass`.
    #[serde(default)]
    vote: String,
    /// The mark's action id, if the form carries one (a statement's
    /// answer does: sent twice, it counts once); else each post is new.
    #[serde(default)]
    id: String,
}

impl MarkForm {
    fn mark(&self) -> Result<Mark, ErrorCode> {
        fn number<T: std::str::FromStr>(field: &str) -> Result<T, ErrorCode> {
            field.trim().parse().map_err(|_| ErrorCode::Malformed)
        }
        let card = || CardId::parse(self.card.trim()).map_err(|_| ErrorCode::Malformed);
        let taking_back = !self.take_back.is_empty();
        Ok(match self.mark.as_str() {
            "spectrum" => Mark::Spectrum {
                step: StepId(number(&self.step)?),
                at: if taking_back {
                    None
                } else {
                    Some(number(&self.at)?)
                },
            },
            "tag" => Mark::Tag {
                step: StepId(number(&self.step)?),
                line: number(&self.line)?,
                tag: match self.tag.trim() {
                    "" => None,
                    tag => Some(Tag::from_index(number(tag)?).ok_or(ErrorCode::Malformed)?),
                },
            },
            "vote" => Mark::Vote {
                card: card()?,
                dots: number(&self.dots)?,
            },
            "resonate" => Mark::Resonate {
                card: card()?,
                on: number(&self.on)?,
            },
            "answer" => Mark::Answer {
                card: card()?,
                vote: match (taking_back, self.vote.trim()) {
                    (true, _) => None,
                    (false, "agree") => Some(Vote::Agree),
                    (false, "disagree") => Some(Vote::Disagree),
                    (false, "pass") => Some(Vote::Pass),
                    _ => return Err(ErrorCode::Malformed),
                },
            },
            "place" => Mark::Place {
                card: card()?,
                at: if taking_back {
                    None
                } else {
                    let (x, y) = self
                        .spot
                        .split_once(',')
                        .unwrap_or((self.across.as_str(), self.up.as_str()));
                    Some(Spot {
                        x: number(x)?,
                        y: number(y)?,
                    })
                },
            },
            _ => return Err(ErrorCode::Malformed),
        })
    }
}

/// Keeps a mark sent without JavaScript and shows the page again, at the
/// card it was about. A mark sets a value (a point, a number of dots), so
/// a form sent twice sets the same value twice: each post is its own
/// action.
pub async fn mark(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    StrictForm(form): StrictForm<MarkForm>,
) -> Response {
    let back = Back::to(&token, &headers);
    let Ok(form) = form else {
        return back.error(ErrorCode::Malformed);
    };
    let mark = match form.mark() {
        Ok(mark) => mark,
        Err(code) => return back.error(code),
    };
    let at_card = match mark.target() {
        Target::Vote(card) | Target::Resonate(card) | Target::Place(card) => {
            format!("#card-{}", card.as_str())
        }
        // The next statement takes the answered one's place.
        Target::Answer(_) => "#ballot".to_owned(),
        Target::Spectrum(_) | Target::Tag(..) => String::new(),
    };
    let id = match form.id.trim() {
        "" => secrets::action_id(),
        id => match ActionId::parse(id) {
            Ok(id) => id,
            Err(_) => return back.error(ErrorCode::Malformed),
        },
    };
    match act_as_participant(&state, &token, &headers, id, Action::Mark { mark }).await {
        Ok(_) => back.done("marked", &at_card),
        Err(response) => response,
    }
}

/// The participant's own reflection to withdraw, by a plain form.
#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    card: String,
}

/// Withdraws one of the participant's reflections without JavaScript.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    StrictForm(form): StrictForm<WithdrawForm>,
) -> Response {
    let back = Back::to(&token, &headers);
    let Ok(form) = form else {
        return back.error(ErrorCode::Malformed);
    };
    let Ok(card) = CardId::parse(form.card.trim()) else {
        return back.error(ErrorCode::Malformed);
    };
    let action = Action::Withdraw { card };
    match act_as_participant(&state, &token, &headers, secrets::action_id(), action).await {
        Ok(_) => back.done("withdrawn", ""),
        Err(response) => response,
    }
}

/// Where a participant's form post sends the phone back to: its page,
/// saying what happened (`?done=` or `?error=`, in the person's language).
/// The phone's script asks for its own part instead (with the header
/// `Hearth-Parts`), and brings the rest of the page up to date itself
/// (see `phone_parts`).
pub(crate) struct Back<'a> {
    token: &'a str,
    parts: bool,
}

impl<'a> Back<'a> {
    pub(crate) fn to(token: &'a str, headers: &HeaderMap) -> Self {
        Back {
            token,
            parts: headers.contains_key("hearth-parts"),
        }
    }

    /// Back, saying what went wrong. To the script, a failure of the
    /// server's own (the room could not be reached or could not store the
    /// post) is a 503: the phone keeps the post in its outbox and sends it
    /// again under the same id, which the room applies once.
    pub(crate) fn error(&self, code: ErrorCode) -> Response {
        if self.parts && code == ErrorCode::Internal {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "3")],
            )
                .into_response();
        }
        let code = serde_json::to_value(code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.with(&format!("error={code}"), "")
    }

    /// Back, saying what was done; `at` is where on the page (`#card-…`).
    pub(crate) fn done(&self, what: &str, at: &str) -> Response {
        self.with(&format!("done={what}"), at)
    }

    fn with(&self, query: &str, at: &str) -> Response {
        let token = self.token;
        if self.parts {
            Redirect::to(&format!("/p/{token}/mine?{query}")).into_response()
        } else {
            Redirect::to(&format!("/p/{token}?{query}{at}")).into_response()
        }
    }
}

/// Does what a participant's form asks, as that participant (their device
/// cookie, hashed with the gathering's salt), exactly as the live link
/// would; the error is the answer to send back.
pub(crate) async fn act_as_participant(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    id: ActionId,
    action: Action,
) -> Result<Outcome, Response> {
    let back = Back::to(token, headers);
    let (row, room) = match state.reach(Lookup::JoinToken(token)).await {
        Ok(found) => found,
        // The participant page says, in the person's language, that there
        // is no such gathering.
        Err(ReachError::NotFound) => {
            return Err(Redirect::to(&format!("/p/{token}")).into_response())
        }
        Err(ReachError::Unavailable(e)) => {
            tracing::error!("a participant's form failed: {e}");
            return Err(back.error(ErrorCode::Internal));
        }
    };
    let Some(device) = device_from_headers(headers) else {
        return Err(back.error(ErrorCode::NotAllowed));
    };
    let author = secrets::author(&row.salt, &device);
    room.join_and_act(author, id, action)
        .await
        .map_err(|code| back.error(code))
}

/// The QR code for a participant link, as SVG.
pub async fn qr(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let row = match state.hub.find(Lookup::JoinToken(&token)).await {
        Ok(Some(row)) => row,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!("QR lookup failed: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let url = state.join_url(&row);
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            (
                [
                    (header::CONTENT_TYPE, "image/svg+xml"),
                    (header::CACHE_CONTROL, "private, max-age=3600"),
                ],
                svg,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("QR encoding failed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The language switch's form.
#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    /// The page to return to, on this site.
    #[serde(default)]
    back: String,
}

/// Keeps the chosen language in a cookie (a language tag and nothing
/// else) and sends the visitor back to the page they were on.
pub async fn language(
    State(state): State<AppState>,
    StrictForm(form): StrictForm<LanguageForm>,
) -> Response {
    let Ok(form) = form else {
        return Redirect::to("/").into_response();
    };
    let mut response = Redirect::to(app::language::safe_return(&form.back)).into_response();
    let Some(locale) = Locale::from_tag(&form.lang) else {
        return response;
    };
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/; SameSite=Lax; Max-Age=31536000{secure}",
        app::language::LANG_COOKIE,
        locale.tag()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Gives every participant page visitor a device token cookie, so they can
/// later see and withdraw their own reflections. The token is random and
/// says nothing about the person; the server keeps only salted hashes.
pub async fn device_cookie(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let needs = req.uri().path().starts_with("/p/") && device_from_headers(req.headers()).is_none();
    if !needs {
        return next.run(req).await;
    }
    let token = secrets::token(16);
    if let Ok(value) = HeaderValue::from_str(&format!("{DEVICE_COOKIE}={token}")) {
        req.headers_mut().append(header::COOKIE, value);
    }
    let mut response = next.run(req).await;
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
