//! PostgreSQL's `COPY … FROM STDIN (FORMAT csv)` for the registry import's bulk rows:
//! one stream per table instead of a statement per row or per chunk.
//!
//! Text is always quoted (`""` doubles a quote) and NULL is the unquoted empty field,
//! so an empty string and NULL stay apart; floats use Rust's shortest round-trip
//! form, booleans `t`/`f`.

use std::fmt::Write as _;

use sqlx::PgConnection;

use super::Result;

/// Bytes sent per `CopyData` message.
const SEND_BYTES: usize = 1 << 20;

/// One CSV row being written.
pub(super) struct CsvRow<'a> {
    buf: &'a mut String,
    first: bool,
}

impl CsvRow<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(',');
        }
        self.first = false;
    }

    pub(super) fn text(&mut self, v: &str) -> &mut Self {
        self.sep();
        self.buf.push('"');
        for c in v.chars() {
            if c == '"' {
                self.buf.push('"');
            }
            self.buf.push(c);
        }
        self.buf.push('"');
        self
    }

    pub(super) fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.text(v)
        } else {
            self.sep();
            self
        }
    }

    pub(super) fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    pub(super) fn float(&mut self, v: f64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    pub(super) fn opt_float(&mut self, v: Option<f64>) -> &mut Self {
        if let Some(v) = v {
            self.float(v)
        } else {
            self.sep();
            self
        }
    }

    pub(super) fn boolean(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf.push(if v { 't' } else { 'f' });
        self
    }
}

/// Streams `items` into `statement` (a `COPY table (columns) FROM STDIN (FORMAT
/// csv)`), each written as one row by `write`.
pub(super) async fn copy_rows<T>(
    conn: &mut PgConnection,
    statement: &str,
    items: impl IntoIterator<Item = T>,
    write: impl Fn(&mut CsvRow<'_>, T),
) -> Result<u64> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = String::with_capacity(SEND_BYTES + 4096);
    for item in items {
        write(
            &mut CsvRow {
                buf: &mut buf,
                first: true,
            },
            item,
        );
        buf.push('\n');
        if buf.len() >= SEND_BYTES {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            buf.reserve(SEND_BYTES + 4096);
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    Ok(copy.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_null_empty_and_quotes_apart() {
        let mut buf = String::new();
        CsvRow {
            buf: &mut buf,
            first: true,
        }
        .text("Le \"Café\", Arras")
        .opt_text(None)
        .text("")
        .int(-3)
        .float(34.5)
        .opt_float(None)
        .boolean(true);
        assert_eq!(buf, r#""Le ""Café"", Arras",,"",-3,34.5,,t"#);
    }
}
