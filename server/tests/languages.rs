//! Languages against the real binary: a page speaks its visitor's language
//! (the switch's cookie, else `Accept-Language`); the switch works as a
//! plain form; every page rendered in Spanish holds no English words from
//! the catalogue (so no view bypasses it or pins a language); and the
//! shared screen speaks and looks as its facilitators set it, live.

use app::i18n::Msg;
use hearth_core::error::ErrorCode;
use hearth_core::gathering::{ScreenSettings, ScreenTheme};
use hearth_core::locale::Locale;
use hearth_core::protocol::Action;
use hearth_tests::{
    create_gathering_at, redirect_target, reflection, Device, Gathering, TestServer,
};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// A page's HTML as a browser with these headers gets it.
async fn page(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> hearth_tests::Result<String> {
    let mut request = server.http.get(format!("{}{path}", server.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Ok(request.send().await?.text().await?)
}

/// What a person reads on a page: its text between tags (scripts, styles
/// and the page's data left out) and the words of its labels and images.
fn readable(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = rest[..open].trim();
        if !text.is_empty() {
            out.push(unescape(text));
        }
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open..tag_end];
        for attribute in ["aria-label=\"", "alt=\"", "title=\"", "placeholder=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                if let Some(end) = value.find('"') {
                    out.push(unescape(&value[..end]));
                }
            }
        }
        rest = &rest[tag_end..];
        for skipped in ["<script", "<style"] {
            if tag.starts_with(skipped) {
                let close = format!("</{}", &skipped[1..]);
                rest = rest.find(&close).map_or("", |c| &rest[c..]);
            }
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

/// The English words of the catalogue that differ in Spanish, found in
/// what a person reads: a whole message as one text, or (for messages with
/// placeholders) their longest fixed part.
fn english_in(texts: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for &msg in Msg::ALL {
        let en = msg.text(Locale::En);
        if en == msg.text(Locale::Es) {
            continue;
        }
        for form in en.split('|') {
            let fixed = form
                .split(['{', '}'])
                .step_by(2)
                .max_by_key(|part| part.len())
                .unwrap_or(form)
                .trim();
            let whole = !form.contains('{');
            let hit = texts.iter().any(|t| {
                if whole {
                    t == form || (form.len() >= 16 && t.contains(form))
                } else {
                    fixed.len() >= 8 && t.contains(fixed)
                }
            });
            if hit {
                found.push(format!("{msg:?}: {form}"));
            }
        }
    }
    found
}

fn spanish_client() -> hearth_tests::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("es-MX,es;q=0.9,en;q=0.5"),
    );
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()?)
}

#[tokio::test]
async fn a_page_speaks_the_cookie_else_the_browser_language() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let home = page(&server, "/", &[]).await?;
    assert!(home.contains(r#"<html lang="en""#));
    assert!(home.contains(Msg::HomeTitle.text(Locale::En)));

    let home = page(
        &server,
        "/",
        &[("accept-language", "fr;q=1, es;q=0.8, en;q=0.7")],
    )
    .await?;
    assert!(home.contains(r#"<html lang="es""#), "the best spoken match");
    assert!(home.contains(Msg::HomeTitle.text(Locale::Es)));

    let home = page(
        &server,
        "/",
        &[("accept-language", "es"), ("cookie", "hearth_lang=en")],
    )
    .await?;
    assert!(home.contains(r#"<html lang="en""#), "the switch wins");
    assert!(home.contains(Msg::HomeTitle.text(Locale::En)));
    Ok(())
}

#[tokio::test]
async fn the_switch_keeps_a_language_cookie_and_returns_home_safely() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let response = server
        .post_form("/language", &[("lang", "es"), ("back", "/start?x=1")])
        .await?;
    assert_eq!(response.status(), 303);
    assert_eq!(redirect_target(&response).as_deref(), Some("/start?x=1"));
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .ok_or("no cookie")?;
    assert!(cookie.starts_with("hearth_lang=es;"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    for back in ["//evil.example/", "https://evil.example/", ""] {
        let response = server
            .post_form("/language", &[("lang", "en"), ("back", back)])
            .await?;
        assert_eq!(redirect_target(&response).as_deref(), Some("/"), "{back}");
    }
    let response = server
        .post_form("/language", &[("lang", "klingon"), ("back", "/")])
        .await?;
    assert!(
        response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none(),
        "a language Hearth does not speak is not kept"
    );
    Ok(())
}

#[tokio::test]
async fn every_page_in_spanish_holds_no_english_words() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let spanish = spanish_client()?;
    let g: Gathering = create_gathering_at(
        &spanish,
        &server.base,
        &[("name", "Martes"), ("agenda", "introduction")],
    )
    .await?;
    assert_eq!(
        g.page.gathering.steps[0].prompt.as_str(),
        Msg::PromptCheckIn.text(Locale::Es),
        "a ready agenda starts in the facilitator's language"
    );
    assert_eq!(g.page.gathering.screen.language, Locale::Es);

    let device = Device::new();
    let mut phone = server
        .connect(&g.participant_ws(), Some(&device), None)
        .await?;
    phone.act(reflection("Unas palabras")).await??;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    console.act(Action::Reveal).await??;
    let card = phone.card_ids_of(hearth_core::ids::StepId(1));
    let card = card
        .first()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();

    let es = [("accept-language", "es")];
    let cookie = device.cookie();
    let with_device = [("accept-language", "es"), ("cookie", cookie.as_str())];
    let pages = [
        ("/".to_owned(), &es[..]),
        ("/?error=unknown&code=ABC".to_owned(), &es[..]),
        ("/start".to_owned(), &es[..]),
        ("/start?error=import_invalid".to_owned(), &es[..]),
        (format!("/console/{}", g.console_secret), &es[..]),
        (format!("/screen/{}", g.screen_secret), &es[..]),
        (format!("/harvest/{}", g.console_secret), &es[..]),
        (format!("/p/{}", g.join_token), &with_device[..]),
        (
            format!("/p/{}/received?card={card}", g.join_token),
            &with_device[..],
        ),
        ("/p/nothing-here".to_owned(), &es[..]),
    ];
    for (path, headers) in pages {
        let html = page(&server, &path, headers).await?;
        let texts = readable(&html);
        assert!(texts.len() > 3, "{path} has words: {texts:?}");
        let english = english_in(&texts);
        assert!(english.is_empty(), "{path} shows English: {english:?}");
    }
    // The check can fail: the same pages in English are full of it.
    let html = page(&server, &format!("/console/{}", g.console_secret), &[]).await?;
    assert!(english_in(&readable(&html)).len() > 10);
    Ok(())
}

#[tokio::test]
async fn the_screen_follows_its_facilitators_settings_live() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Screen", "blank").await?;
    assert_eq!(g.page.gathering.screen, ScreenSettings::default());
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let cofacilitator = g.cofacilitator_secret()?;
    let mut cofacilitating = server
        .connect(&format!("/ws/console/{cofacilitator}"), None, None)
        .await?;

    let chosen = ScreenSettings {
        language: Locale::Es,
        theme: ScreenTheme::HighContrast,
    };
    let set = Action::SetScreen { screen: chosen };
    assert_eq!(phone.act(set.clone()).await?, Err(ErrorCode::NotAllowed));
    assert_eq!(screen.act(set.clone()).await?, Err(ErrorCode::NotAllowed));
    cofacilitating.act(set).await??;
    screen
        .wait_for("the screen's new settings", |v| v.screen == chosen)
        .await?;

    // Whoever opens the screen, in whatever language, sees it as set.
    let html = page(&server, &format!("/screen/{}", g.screen_secret), &[]).await?;
    assert!(html.contains(r#"data-theme="high-contrast""#));
    assert!(html.contains(r#"lang="es""#));
    assert!(html.contains(Msg::ScreenJoinAt.text(Locale::Es)));
    assert!(!html.contains(Msg::ScreenJoinAt.text(Locale::En)));
    Ok(())
}
