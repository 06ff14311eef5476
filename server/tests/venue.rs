//! A venue with no internet: the console tells the facilitator the address
//! phones should use, which is the public URL the server was given (or
//! found, see `server/src/lan.rs`), and the participant link, which the
//! QR code carries, starts with it.

use hearth_tests::{Result, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

#[tokio::test]
async fn the_console_shows_the_address_phones_should_use() -> Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Venue", "blank").await?;
    let short = server.base.trim_start_matches("http://");
    let html = server
        .get(&format!("/console/{}", g.console_secret), None)
        .await?
        .text()
        .await?;
    let label = html
        .find("The address phones should use")
        .ok_or("the console does not name the address for phones")?;
    let at = html
        .find("data-testid=\"phone-address\"")
        .ok_or("the console has no address for phones")?;
    assert!(at > label, "the address comes after its label");
    let shown = html[at..]
        .split('>')
        .nth(1)
        .and_then(|s| s.split('<').next());
    assert_eq!(shown, Some(short), "the address shown for phones");
    assert_eq!(g.page.entry.short_url, short);
    assert!(g
        .page
        .entry
        .join_url
        .starts_with(&format!("{}/p/", server.base)));
    Ok(())
}
