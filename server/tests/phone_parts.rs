//! A phone's page in two parts (`server/src/phone_parts.rs`): what every
//! phone of a room sees is made once and sent to all, with an ETag; what
//! is a phone's own comes only to that phone. Checked here over HTTP
//! against the real binary: the shared part holds nobody's own words or
//! marks, is the same bytes for every phone of a language, answers 304
//! only to its own ETag, changes when the room does; the own part holds
//! the phone's own and nobody else's; a post from the script is answered
//! with the phone's own part, and a bad one changes nothing.

use hearth_core::ids::CardId;
use hearth_core::protocol::{Action, Outcome};
use hearth_tests::{redirect_target, Device, Gathering, TestServer};
use reqwest::header;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// A part as a phone gets it: status, ETag, and the HTML unpacked.
struct Part {
    status: u16,
    etag: Option<String>,
    encoding: Option<String>,
    html: String,
}

async fn part(
    server: &TestServer,
    path: &str,
    device: &Device,
    extra: &[(header::HeaderName, &str)],
) -> hearth_tests::Result<Part> {
    let mut request = server
        .http
        .get(format!("{}{path}", server.base))
        .header(header::COOKIE, device.cookie());
    for (name, value) in extra {
        request = request.header(name.clone(), *value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, encoding) = (text(header::ETAG), text(header::CONTENT_ENCODING));
    let body = response.bytes().await?;
    let mut html = Vec::new();
    match encoding.as_deref() {
        Some("br") => brotli::BrotliDecompress(&mut &body[..], &mut html)?,
        Some("gzip") => {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut html)?;
        }
        _ => html = body.to_vec(),
    }
    Ok(Part {
        status,
        etag,
        encoding,
        html: String::from_utf8(html)?,
    })
}

/// What the page's live region says.
fn announced(html: &str) -> Option<&str> {
    let region = html.split("data-testid=\"announcer\"").nth(1)?;
    let text = region.split_once('>')?.1;
    Some(text.split("</p>").next()?.trim())
}

fn shared_path(g: &Gathering) -> String {
    format!("/p/{}/shared", g.join_token)
}

fn own_path(g: &Gathering) -> String {
    format!("/p/{}/mine", g.join_token)
}

/// Posts a form as the phone's script does (`Hearth-Parts`), and returns
/// where it sends the phone.
async fn post_from_script(
    server: &TestServer,
    g: &Gathering,
    device: &Device,
    what: &str,
    form: &[(&str, &str)],
) -> hearth_tests::Result<String> {
    let response = server
        .http
        .post(format!("{}/p/{}/{what}", server.base, g.join_token))
        .header(header::COOKIE, device.cookie())
        .header("hearth-parts", "1")
        .form(form)
        .send()
        .await?;
    redirect_target(&response)
        .ok_or_else(|| format!("{what}: answered {}", response.status()).into())
}

#[tokio::test]
async fn the_shared_part_is_everyones_and_the_own_part_only_the_phones() -> hearth_tests::Result<()>
{
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Tuesday training", "blank").await?;
    let (a, b) = (Device::new(), Device::new());
    // Each phone opens its page first, as a phone does (it joins there).
    for phone in [&a, &b] {
        let page = server
            .get(&format!("/p/{}", g.join_token), Some(phone))
            .await?;
        assert!(page.status().is_success());
    }
    let page = server.participant_page(&g, &a).await?;
    let step = page.gathering.current.0.to_string();

    // A writes; the words wait for the reveal.
    let words = "Only my own phone may show this yet.";
    let form_id = hearth_tests::action_id();
    let back = post_from_script(
        &server,
        &g,
        &a,
        "reflect",
        &[("id", form_id.as_str()), ("step", &step), ("text", words)],
    )
    .await?;
    assert!(
        back.starts_with(&format!("/p/{}/mine?done=received&card=", g.join_token)),
        "a post from the script is answered with the phone's own part: {back}"
    );
    let own_a = part(&server, &back, &a, &[]).await?;
    assert_eq!(own_a.status, 200);
    assert!(
        own_a.html.contains(words),
        "the writer's own part holds its words"
    );
    assert!(own_a.html.contains("id=\"own\""));

    let shared_a = part(&server, &shared_path(&g), &a, &[]).await?;
    let shared_b = part(&server, &shared_path(&g), &b, &[]).await?;
    assert_eq!((shared_a.status, shared_b.status), (200, 200));
    assert!(
        !shared_a.html.contains(words),
        "the shared part holds no one's unrevealed words"
    );
    assert_eq!(
        shared_a.html, shared_b.html,
        "every phone gets the same shared part"
    );
    assert_eq!(shared_a.etag, shared_b.etag);
    assert!(
        shared_a.html.contains(r#"name="id" value="""#),
        "the shared part's form has no id: each phone's script gives its own"
    );
    let own_b = part(&server, &own_path(&g), &b, &[]).await?;
    assert_eq!(own_b.status, 200);
    assert!(
        !own_b.html.contains(words),
        "another phone's own part holds none of A's words"
    );

    // The reveal changes the shared part, and every phone gets the words.
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    assert_eq!(console.act(Action::Reveal).await??, Outcome::Done);
    let etag = shared_a.etag.clone().ok_or("the shared part has an ETag")?;
    let after = part(
        &server,
        &shared_path(&g),
        &b,
        &[(header::IF_NONE_MATCH, &etag)],
    )
    .await?;
    assert_eq!(after.status, 200, "an old ETag is answered in full");
    assert_ne!(after.etag.as_deref(), Some(etag.as_str()));
    assert!(after.html.contains(words), "revealed words are everyone's");

    // Asked again with its current ETag: nothing to send.
    let current = after.etag.clone().ok_or("the shared part has an ETag")?;
    let again = part(
        &server,
        &shared_path(&g),
        &b,
        &[(header::IF_NONE_MATCH, &current)],
    )
    .await?;
    assert_eq!(again.status, 304);
    assert!(again.html.is_empty());
    let bogus = part(
        &server,
        &shared_path(&g),
        &b,
        &[(header::IF_NONE_MATCH, "\"made-up\"")],
    )
    .await?;
    assert_eq!(
        (bogus.status, bogus.html),
        (200, after.html.clone()),
        "a bogus ETag is answered in full"
    );

    // Compressed as the phone accepts, once for all.
    let br = part(
        &server,
        &shared_path(&g),
        &a,
        &[(header::ACCEPT_ENCODING, "gzip, br")],
    )
    .await?;
    let gz = part(
        &server,
        &shared_path(&g),
        &a,
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await?;
    assert_eq!(br.encoding.as_deref(), Some("br"));
    assert_eq!(gz.encoding.as_deref(), Some("gzip"));
    assert_eq!(
        (br.html.as_str(), gz.html.as_str()),
        (after.html.as_str(), after.html.as_str())
    );

    // B resonates with A's card: B's own part shows it pressed; the shared
    // part and A's own part do not.
    let card = CardId::parse(back.rsplit("card=").next().unwrap_or_default())?;
    let resonated = post_from_script(
        &server,
        &g,
        &b,
        "mark",
        &[
            ("mark", "resonate"),
            ("card", card.as_str()),
            ("on", "true"),
        ],
    )
    .await?;
    assert_eq!(resonated, format!("/p/{}/mine?done=marked", g.join_token));
    let pressed = format!("resonate-{}", card.as_str());
    let own_b = part(&server, &resonated, &b, &[]).await?;
    let form = own_b
        .html
        .split(&pressed)
        .nth(1)
        .ok_or("B's own part holds its resonance")?;
    assert!(form
        .split("</form>")
        .next()
        .unwrap_or_default()
        .contains(r#"aria-pressed="true""#));
    let own_a = part(&server, &own_path(&g), &a, &[]).await?;
    assert!(
        !own_a.html.contains(r#"aria-pressed="true""#),
        "A never sees B's mark"
    );
    let shared = part(&server, &shared_path(&g), &a, &[]).await?;
    assert!(
        !shared.html.contains(r#"aria-pressed="true""#),
        "the shared part holds no one's mark"
    );
    Ok(())
}

#[tokio::test]
async fn each_language_has_its_own_shared_part_and_news_follow_the_glance(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Martes", "blank").await?;
    let phone = Device::new();
    server
        .get(&format!("/p/{}", g.join_token), Some(&phone))
        .await?;
    let en = part(&server, &shared_path(&g), &phone, &[]).await?;
    let es = part(
        &server,
        &shared_path(&g),
        &phone,
        &[(header::ACCEPT_LANGUAGE, "es")],
    )
    .await?;
    assert_ne!(en.etag, es.etag);
    assert_ne!(en.html, es.html, "the Spanish part is in Spanish");

    // A phone that saw no cards is told of the one revealed since.
    let glance = en
        .html
        .split("data-glance=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("a glance")?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut writer = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    writer
        .act(hearth_tests::reflection("Something to say."))
        .await??;
    console.act(Action::Reveal).await??;
    let seen = format!("{}?seen={}", shared_path(&g), glance.replace(':', "%3A"));
    let told = part(&server, &seen, &phone, &[]).await?;
    assert_eq!(announced(&told.html), Some("1 new card on the board"));
    let unseen = part(&server, &shared_path(&g), &phone, &[]).await?;
    assert_eq!(announced(&unseen.html), Some(""), "no glance, no news");
    assert_ne!(told.etag, unseen.etag);
    // A made-up glance is no glance.
    let odd = part(
        &server,
        &format!("{}?seen=%3Cb%3E", shared_path(&g)),
        &phone,
        &[],
    )
    .await?;
    assert_eq!((odd.status, odd.etag), (200, unseen.etag));
    Ok(())
}

#[tokio::test]
async fn a_bad_post_from_the_script_says_why_and_changes_nothing() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Tuesday training", "blank").await?;
    let phone = Device::new();
    server
        .get(&format!("/p/{}", g.join_token), Some(&phone))
        .await?;
    let before = server.participant_page(&g, &phone).await?;
    let back = post_from_script(
        &server,
        &g,
        &phone,
        "reflect",
        &[("id", "not an id"), ("step", "0"), ("text", "words")],
    )
    .await?;
    assert_eq!(back, format!("/p/{}/mine?error=malformed", g.join_token));
    let own = part(&server, &back, &phone, &[]).await?;
    assert_eq!(own.status, 200);
    assert!(own.html.contains("id=\"feedback\""));
    let after = server.participant_page(&g, &phone).await?;
    assert_eq!(
        (before.mine, before.at),
        (after.mine, after.at),
        "nothing changed"
    );
    // Parts of a room that does not exist: plainly not found.
    let missing = part(
        &server,
        "/p/0123456789abcdef0123456789abcdef/shared",
        &phone,
        &[],
    )
    .await?;
    assert_eq!(missing.status, 404);
    let missing = part(
        &server,
        "/p/0123456789abcdef0123456789abcdef/mine",
        &phone,
        &[],
    )
    .await?;
    assert_eq!(missing.status, 404);
    Ok(())
}
