//! Copying a whole database into another, empty one, on either backend (`ess-atlas
//! migrate-data`): every table but the sessions, in dependency order, identifiers and
//! stored times kept, with a row count and a content digest per table on both sides.
//!
//! Steps:
//! 1. one read transaction on the source (a consistent snapshot, even of a live
//!    database), one write transaction on the target;
//! 2. the source's tables must all be known here ([`COPIED_TABLES`], [`NOT_COPIED`]),
//!    with the target's columns; the target's tables must be empty;
//! 3. each table is streamed in [`COPIED_TABLES`]' order (parents first, so that
//!    foreign keys hold at every statement) and inserted in batches; values are
//!    converted between the dialects' types (SQLite's 0/1 flags and PostgreSQL's
//!    booleans);
//! 4. PostgreSQL's identity sequences are moved past the copied identifiers (SQLite's
//!    `AUTOINCREMENT` follows explicit identifiers by itself);
//! 5. the target's tables are read back inside the same transaction and digested;
//!    any difference with the source rolls everything back.
//!
//! The history (`changes`) stays append-only: its triggers refuse `UPDATE`, `DELETE`
//! and `TRUNCATE`, never `INSERT`, so the rows go in through the migrated schema with
//! its triggers in place.
//!
//! **Digest.** Each row is hashed (SHA-256) from its values in column order, typed
//! (null, integer, real by its bits, text, bytes; a boolean is the integer 0 or 1), and
//! the row hashes are added together (four 64-bit lanes, wrapping): the digest does
//! not depend on the order the backends return rows in, so no collation matters.

use futures_util::TryStreamExt;
use sha2::{Digest as _, Sha256};
use sqlx::{QueryBuilder, Row};

use super::{Db, DbError, Result, Tx};

/// The tables copied, parents before children.
pub const COPIED_TABLES: &[&str] = &[
    "geodata_state",
    "territories",
    "epci",
    "communes",
    "commune_territory",
    "editions",
    "establishments",
    "economy_cells",
    "other_establishments",
    "import_reports",
    "observatory_cells",
    "subsidies",
    "users",
    "user_territories",
    "login_failures",
    "portraits",
    "portrait_transitions",
    "orientations",
    "actions",
    "consultations",
    "contributions",
    "declarations",
    "partner_proposals",
    "cdess_proposals",
    "changes",
    "compendium_jobs",
];

/// Tables never copied: live sessions (their owners sign in again on the new
/// database) and the migrations' own bookkeeping (the target has its own).
pub const NOT_COPIED: &[&str] = &["sessions", "_sqlx_migrations"];

/// Rows and digest of one table on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub table: String,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_digest: String,
    pub target_digest: String,
}

impl TableDigest {
    #[must_use]
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_digest == self.target_digest
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Blob,
    Bool,
}

/// One value, as both backends can hold it (booleans as 0/1).
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

#[derive(Debug, Default)]
struct RowsDigest {
    rows: u64,
    lanes: [u64; 4],
}

impl RowsDigest {
    fn add(&mut self, row: &[Cell]) {
        let mut h = Sha256::new();
        for cell in row {
            match cell {
                Cell::Null => h.update([0]),
                Cell::Int(i) => {
                    h.update([1]);
                    h.update(i.to_le_bytes());
                }
                Cell::Real(f) => {
                    h.update([2]);
                    h.update(f.to_bits().to_le_bytes());
                }
                Cell::Text(s) => {
                    h.update([3]);
                    h.update((s.len() as u64).to_le_bytes());
                    h.update(s.as_bytes());
                }
                Cell::Blob(b) => {
                    h.update([4]);
                    h.update((b.len() as u64).to_le_bytes());
                    h.update(b);
                }
            }
        }
        let out = h.finalize();
        for (lane, chunk) in self.lanes.iter_mut().zip(out.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(chunk);
            *lane = lane.wrapping_add(u64::from_le_bytes(bytes));
        }
        self.rows += 1;
    }

    fn hex(&self) -> String {
        let [a, b, c, d] = self.lanes;
        format!("{a:016x}{b:016x}{c:016x}{d:016x}")
    }
}

fn kind_of(declared: &str) -> Result<Kind> {
    Ok(match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => Kind::Int,
        "real" | "double precision" => Kind::Real,
        "text" => Kind::Text,
        "blob" | "bytea" => Kind::Blob,
        "boolean" => Kind::Bool,
        other => return Err(DbError::Stored(format!("a column of type {other}"))),
    })
}

async fn tables_in(tx: &mut Tx) -> Result<Vec<String>> {
    Ok(match tx {
        Tx::Sqlite(t, _) => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut **t)
            .await?
        }
        Tx::Postgres(t, _) => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut **t)
            .await?
        }
    })
}

async fn columns_in(tx: &mut Tx, table: &str) -> Result<Vec<(String, Kind)>> {
    let declared: Vec<(String, String)> = match tx {
        Tx::Sqlite(t, _) => {
            sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut **t)
                .await?
        }
        Tx::Postgres(t, _) => {
            sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **t)
            .await?
        }
    };
    declared
        .into_iter()
        .map(|(name, ty)| Ok((name, kind_of(&ty)?)))
        .collect()
}

/// Reads column `i` of `row` as `kind`.
macro_rules! read_cell {
    ($row:expr, $i:expr, $kind:expr) => {
        match $kind {
            Kind::Int => $row.try_get::<Option<i64>, _>($i)?.map(Cell::Int),
            Kind::Real => $row.try_get::<Option<f64>, _>($i)?.map(Cell::Real),
            Kind::Text => $row.try_get::<Option<String>, _>($i)?.map(Cell::Text),
            Kind::Blob => $row.try_get::<Option<Vec<u8>>, _>($i)?.map(Cell::Blob),
            Kind::Bool => $row
                .try_get::<Option<bool>, _>($i)?
                .map(|b| Cell::Int(i64::from(b))),
        }
        .unwrap_or(Cell::Null)
    };
}

/// Binds `cell` for a column of `kind` in a `push_values` separator.
macro_rules! push_cell {
    ($b:expr, $cell:expr, $kind:expr) => {
        match ($cell, $kind) {
            (Cell::Null, Kind::Int) => $b.push_bind(None::<i64>),
            (Cell::Null, Kind::Real) => $b.push_bind(None::<f64>),
            (Cell::Null, Kind::Text) => $b.push_bind(None::<&str>),
            (Cell::Null, Kind::Blob) => $b.push_bind(None::<&[u8]>),
            (Cell::Null, Kind::Bool) => $b.push_bind(None::<bool>),
            (Cell::Int(i), Kind::Bool) => $b.push_bind(*i != 0),
            (Cell::Int(i), Kind::Real) => $b.push_bind(*i as f64),
            (Cell::Int(i), _) => $b.push_bind(*i),
            (Cell::Real(f), _) => $b.push_bind(*f),
            (Cell::Text(s), _) => $b.push_bind(s.as_str()),
            (Cell::Blob(v), _) => $b.push_bind(v.as_slice()),
        }
    };
}

async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[(String, Kind)],
    rows: &[Vec<Cell>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let head = format!(
        "INSERT INTO {table} ({}) ",
        columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    match tx {
        Tx::Sqlite(t, _) => {
            let mut q = QueryBuilder::<sqlx::Sqlite>::new(head);
            q.push_values(rows, |mut b, row| {
                for (cell, (_, kind)) in row.iter().zip(columns) {
                    push_cell!(b, cell, kind);
                }
            });
            q.build().execute(&mut **t).await?;
        }
        Tx::Postgres(t, _) => {
            let mut q = QueryBuilder::<sqlx::Postgres>::new(head);
            q.push_values(rows, |mut b, row| {
                for (cell, (_, kind)) in row.iter().zip(columns) {
                    push_cell!(b, cell, kind);
                }
            });
            q.build().execute(&mut **t).await?;
        }
    }
    Ok(())
}

/// Streams `table`'s rows from `source` (columns `columns`, read as the source
/// declares them), digests them and, when `target` is given, inserts them there with
/// the target's column kinds.
async fn scan_table(
    source: &mut Tx,
    table: &str,
    columns: &[(String, Kind)],
    mut target: Option<(&mut Tx, &[(String, Kind)])>,
) -> Result<RowsDigest> {
    let sql = format!(
        "SELECT {} FROM {table}",
        columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Below SQLite's 32,766 bound variables and PostgreSQL's 65,535.
    let batch_rows = (30_000 / columns.len().max(1)).clamp(1, 1000);
    let mut digest = RowsDigest::default();
    let mut batch: Vec<Vec<Cell>> = Vec::with_capacity(batch_rows);
    macro_rules! stream {
        ($t:expr) => {{
            let mut rows = sqlx::query(&sql).fetch(&mut **$t);
            while let Some(row) = rows.try_next().await? {
                let mut cells = Vec::with_capacity(columns.len());
                for (i, (_, kind)) in columns.iter().enumerate() {
                    cells.push(read_cell!(row, i, *kind));
                }
                digest.add(&cells);
                if let Some((t, target_columns)) = target.as_mut() {
                    batch.push(cells);
                    if batch.len() == batch_rows {
                        insert_rows(t, table, target_columns, &batch).await?;
                        batch.clear();
                    }
                }
            }
        }};
    }
    match source {
        Tx::Sqlite(t, _) => stream!(t),
        Tx::Postgres(t, _) => stream!(t),
    }
    if let Some((t, target_columns)) = target {
        insert_rows(t, table, target_columns, &batch).await?;
    }
    Ok(digest)
}

/// PostgreSQL: moves `table`'s identity sequence, if it has one, past its largest
/// identifier.
async fn reset_sequence(tx: &mut Tx, table: &str, columns: &[(String, Kind)]) -> Result<()> {
    let Tx::Postgres(t, _) = tx else {
        return Ok(());
    };
    if !columns.iter().any(|(c, _)| c == "id") {
        return Ok(());
    }
    let sequence: Option<String> = sqlx::query_scalar("SELECT pg_get_serial_sequence($1, 'id')")
        .bind(table)
        .fetch_one(&mut **t)
        .await?;
    if let Some(sequence) = sequence {
        sqlx::query(&format!(
            "SELECT setval($1, (SELECT COALESCE(MAX(id), 0) FROM {table}) + 1, false)"
        ))
        .bind(sequence)
        .execute(&mut **t)
        .await?;
    }
    Ok(())
}

impl Db {
    /// Copies every table of `source` (sessions excluded) into this database, which
    /// must be empty and at the same migration level; see the module docs. Returns
    /// the rows and digests per table, all matching, or an error with nothing written.
    /// `copied(table, rows, index, count)` is called as each table is written (the
    /// transaction commits after the last).
    pub async fn copy_from(
        &self,
        source: &Db,
        mut copied: impl FnMut(&str, u64, usize, usize) + Send,
    ) -> Result<Vec<TableDigest>> {
        let mut from = source.begin_read().await?;
        let mut to = self.begin().await?;
        let source_tables = tables_in(&mut from).await?;
        let unknown: Vec<&String> = source_tables
            .iter()
            .filter(|t| !COPIED_TABLES.contains(&t.as_str()) && !NOT_COPIED.contains(&t.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(DbError::Unsupported(format!(
                "the source has tables this version does not copy: {unknown:?}"
            )));
        }
        let mut plan = Vec::new();
        for table in COPIED_TABLES {
            let source_columns = columns_in(&mut from, table).await?;
            let mut target_columns = columns_in(&mut to, table).await?;
            let names = |c: &[(String, Kind)]| {
                let mut n: Vec<String> = c.iter().map(|(n, _)| n.clone()).collect();
                n.sort();
                n
            };
            if source_columns.is_empty() || names(&source_columns) != names(&target_columns) {
                return Err(DbError::Unsupported(format!(
                    "table {table} has other columns on the two sides: bring both to the same \
                     version (start the server once on each)"
                )));
            }
            // The target's kinds, in the source's column order.
            target_columns.sort_by_key(|(n, _)| {
                source_columns
                    .iter()
                    .position(|(s, _)| s == n)
                    .unwrap_or(usize::MAX)
            });
            let rows: i64 = on_tx!(&mut to, t => sqlx::query_scalar(
                &format!("SELECT COUNT(*) FROM {table}")
            )
            .fetch_one(&mut **t)
            .await)?;
            if rows > 0 {
                return Err(DbError::Unsupported(format!(
                    "the target is not empty: table {table} has {rows} rows; migrate-data \
                     writes only into a new, empty database"
                )));
            }
            plan.push((*table, source_columns, target_columns));
        }
        let mut sides = Vec::new();
        for (index, (table, source_columns, target_columns)) in plan.iter().enumerate() {
            let digest = scan_table(
                &mut from,
                table,
                source_columns,
                Some((&mut to, target_columns)),
            )
            .await?;
            reset_sequence(&mut to, table, target_columns).await?;
            copied(table, digest.rows, index + 1, plan.len());
            sides.push(digest);
        }
        let mut out = Vec::new();
        for ((table, _, target_columns), source) in plan.iter().zip(sides) {
            let target = scan_table(&mut to, table, target_columns, None).await?;
            out.push(TableDigest {
                table: (*table).to_owned(),
                source_rows: source.rows,
                target_rows: target.rows,
                source_digest: source.hex(),
                target_digest: target.hex(),
            });
        }
        if let Some(bad) = out.iter().find(|d| !d.matches()) {
            return Err(DbError::Stored(format!(
                "table {} differs after the copy ({} rows, digest {}, against {} rows, {}): \
                 nothing was written",
                bad.table, bad.source_rows, bad.source_digest, bad.target_rows, bad.target_digest
            )));
        }
        to.commit().await?;
        Ok(out)
    }
}
