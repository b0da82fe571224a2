//! Outgoing e-mail (issue 20): the [`Mailer`] builds plain-text French messages and
//! hands them to one of two transports, chosen by the configuration
//! ([`crate::config::MailConfig`]):
//!
//! - **SMTP** (`--smtp-url smtps://user:pass@host:465`, or `smtp://…?tls=required`)
//!   through lettre, with rustls (no OpenSSL);
//! - the **outbox** folder otherwise (the default for the demo and the tests): each
//!   message is written as one RFC 5322 `.eml` file, as it would have been sent.
//!
//! [`Mailer::send_later`] never blocks nor fails the request that sends: the message is
//! sent by a spawned task, which logs a failure (an SMTP server down) and drops the
//! message; what the message was for stays as it was (a contribution stays « à
//! confirmer », its author may submit again).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

/// Longest wait on an SMTP server before the message is given up.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("adresse électronique {0:?} invalide")]
    Address(String),
    #[error("texte de message invalide")]
    Body,
    #[error("message impossible à construire : {0}")]
    Build(#[from] lettre::error::Error),
    #[error("URL SMTP invalide : {0}")]
    SmtpUrl(String),
    #[error("envoi SMTP impossible : {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("écriture dans la boîte d'envoi {path} impossible : {source}")]
    Outbox {
        path: PathBuf,
        source: std::io::Error,
    },
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

/// Sends the application's messages; see the module docs.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Outbox(dir) => format!("outbox {}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

/// `address` as a mailbox, when it is a valid e-mail address.
pub fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .trim()
        .parse::<Mailbox>()
        .map_err(|_| MailError::Address(address.to_owned()))
}

impl Mailer {
    /// The mailer `cfg` describes: SMTP when it has a URL (checked here, not
    /// connected), else the outbox folder.
    pub fn new(cfg: &MailConfig) -> Result<Self, MailError> {
        let from = mailbox(&cfg.from)?;
        let transport = match &cfg.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Transport::Outbox(cfg.outbox_dir.clone()),
        };
        Ok(Self { from, transport })
    }

    /// The outbox folder, when messages are written there instead of sent.
    #[must_use]
    pub fn outbox(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Outbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// A plain-text message from the configured sender. The body is always
    /// quoted-printable (7-bit: any SMTP server relays it; long lines such as links
    /// are folded softly, see [`decode_quoted_printable`]).
    pub fn message(&self, to: &Mailbox, subject: &str, text: &str) -> Result<Message, MailError> {
        let body =
            Body::new_with_encoding(text.to_owned(), ContentTransferEncoding::QuotedPrintable)
                .map_err(|_| MailError::Body)?;
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject)
            .date_now()
            .header(ContentType::TEXT_PLAIN)
            .body(body)?)
    }

    /// Sends `message` now.
    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
                Ok(())
            }
            Transport::Outbox(dir) => write_outbox(dir, &message.formatted()).await,
        }
    }

    /// Sends `message` from a spawned task: never blocks the caller; a failure is
    /// logged with `what` (what the message was for).
    pub fn send_later(self: &Arc<Self>, message: Message, what: &'static str) {
        let mailer = Arc::clone(self);
        tokio::spawn(async move {
            match mailer.send(message).await {
                Ok(()) => tracing::info!(what, "e-mail sent"),
                Err(e) => tracing::error!(what, "e-mail not sent: {e}"),
            }
        });
    }
}

/// The text of a quoted-printable body (RFC 2045 § 6.7): soft line breaks joined,
/// `=XX` decoded, as UTF-8. For reading the outbox's messages (the tests do).
#[must_use]
pub fn decode_quoted_printable(body: &str) -> String {
    let body = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).replace("\r\n", "\n")
}

/// Writes `bytes` as a new `.eml` file in `dir`: first under a temporary name, then
/// renamed, so that a reader of the folder never sees half a message.
async fn write_outbox(dir: &Path, bytes: &[u8]) -> Result<(), MailError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| MailError::Outbox { path, source }
    };
    tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
    let mut random = [0u8; 6];
    // Uniqueness only: a clock-based fallback is good enough.
    if getrandom::fill(&mut random).is_err() {
        random = crate::time::unix_now().to_le_bytes()[..6]
            .try_into()
            .unwrap_or_default();
    }
    let name = format!(
        "{}-{}",
        crate::time::now_utc().replace([':', '-'], ""),
        random.iter().fold(String::new(), |mut out, b| {
            use std::fmt::Write as _;
            let _ = write!(out, "{b:02x}");
            out
        })
    );
    let partial = dir.join(format!(".{name}.part"));
    let path = dir.join(format!("{name}.eml"));
    tokio::fs::write(&partial, bytes)
        .await
        .map_err(io(&partial))?;
    tokio::fs::rename(&partial, &path)
        .await
        .map_err(io(&path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox_config(dir: &Path) -> MailConfig {
        MailConfig {
            smtp_url: None,
            from: "Atlas de l'ESS <atlas@departement.example>".into(),
            outbox_dir: dir.to_owned(),
            moderators: Vec::new(),
        }
    }

    #[tokio::test]
    async fn without_smtp_messages_are_written_whole_to_the_outbox() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mailer = Mailer::new(&outbox_config(dir.path())).expect("mailer");
        let to = mailbox("jeanne@example.org").expect("address");
        let link = format!("https://atlas.example/c?jeton={}", "a".repeat(64));
        let message = mailer
            .message(
                &to,
                "Confirmez votre contribution",
                &format!("Bonjour Jérôme,\n{link}\n"),
            )
            .expect("message");
        mailer.send(message).await.expect("written");
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .expect("outbox")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let text = std::fs::read_to_string(&files[0]).expect("text");
        assert!(text.contains("To: jeanne@example.org"), "{text}");
        assert!(
            text.contains("Subject: Confirmez votre contribution"),
            "{text}"
        );
        assert!(text.is_ascii(), "7-bit: {text}");
        assert!(text.contains("quoted-printable"), "{text}");
        let decoded = decode_quoted_printable(&text);
        assert!(
            decoded.lines().any(|l| l == link),
            "the link is one whole line once decoded: {decoded}"
        );
    }

    #[test]
    fn bad_addresses_and_smtp_urls_are_refused() {
        assert!(mailbox("pas une adresse").is_err());
        let mut cfg = outbox_config(Path::new("/nonexistent"));
        cfg.smtp_url = Some("ftp://example.org".into());
        assert!(matches!(Mailer::new(&cfg), Err(MailError::SmtpUrl(_))));
        cfg.smtp_url = Some("smtps://user:pass@smtp.example.org:465".into());
        assert!(Mailer::new(&cfg).is_ok());
    }
}
