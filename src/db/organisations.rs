//! SQL for reading the registry: filtered, paginated lists of public establishments.
//!
//! Protected establishments (BRIEF rule 5) are never returned by these functions;
//! aggregates that count them live elsewhere.

use serde::Serialize;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::{Db, Result};

/// Filters on the establishments of one edition. Zone filters are resolved by the
/// caller into commune codes (the mapping lives in memory).
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub edition: i64,
    /// `None`: everywhere; `Some(codes)`: in these communes.
    pub communes: Option<Vec<String>>,
    pub families: Vec<String>,
    pub naf_sections: Vec<String>,
    pub size_bands: Vec<String>,
    pub employer: Option<bool>,
    /// Already folded with [`crate::geography::fold_for_search`].
    pub text: Option<String>,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: Option<[f64; 4]>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrganisationRow {
    #[schema(example = "77568420600012")]
    pub siret: String,
    #[schema(example = "775684206")]
    pub siren: String,
    #[schema(example = "Association Emmaüs Arras")]
    pub name: String,
    pub enseigne: Option<String>,
    pub family: String,
    pub categorie_juridique: String,
    pub naf: Option<String>,
    pub naf_section: Option<String>,
    pub ess_group: Option<String>,
    pub size_band: Option<String>,
    pub jobs_estimate: f64,
    pub employer: bool,
    pub siege: bool,
    pub creation_date: Option<String>,
    pub code_insee: String,
    pub rna: Option<String>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub location_approximate: bool,
}

const COLUMNS: &str = "siret, siren, name, enseigne, family, categorie_juridique, naf, naf_section, \
    ess_group, size_band, jobs_estimate, employer, siege, creation_date, code_insee, rna, address, \
    lon, lat, location_approximate";

fn push_in<'a, DB>(q: &mut QueryBuilder<'a, DB>, column: &str, values: &[String])
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
{
    q.push(format!(" AND {column} IN ("));
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
    q.push(")");
}

/// Appends the WHERE clause of `filter` (public establishments only).
fn push_filter<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &OrganisationFilter, postgres: bool)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    f64: Encode<'a, DB> + Type<DB>,
    bool: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    q.push(" WHERE NOT protected AND edition = ")
        .push_bind(f.edition);
    if let Some(communes) = &f.communes {
        // One bound JSON array rather than hundreds of parameters.
        let list = serde_json::to_string(communes).unwrap_or_else(|_| "[]".into());
        if postgres {
            q.push(" AND code_insee IN (SELECT jsonb_array_elements_text(CAST(")
                .push_bind(list)
                .push(" AS jsonb)))");
        } else {
            q.push(" AND code_insee IN (SELECT value FROM json_each(")
                .push_bind(list)
                .push("))");
        }
    }
    if !f.families.is_empty() {
        push_in(q, "family", &f.families);
    }
    if !f.naf_sections.is_empty() {
        push_in(q, "naf_section", &f.naf_sections);
    }
    if !f.size_bands.is_empty() {
        push_in(q, "size_band", &f.size_bands);
    }
    if let Some(employer) = f.employer {
        q.push(" AND employer = ").push_bind(employer);
    }
    if let Some(text) = &f.text {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND search_key LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some([min_lon, min_lat, max_lon, max_lat]) = f.bbox {
        q.push(" AND lon BETWEEN ")
            .push_bind(min_lon)
            .push(" AND ")
            .push_bind(max_lon);
        q.push(" AND lat BETWEEN ")
            .push_bind(min_lat)
            .push(" AND ")
            .push_bind(max_lat);
    }
}

/// The order of the organisations' pages: by name, then SIRET (stable across pages).
///
/// An edition's whole list walks the index `establishments_by_name` (migration 0014)
/// and stops after the page instead of sorting every establishment. With any other
/// filter, SQLite (which keeps no statistics here) would walk that index too and
/// test every establishment of the edition for a commune or a family that holds a
/// few: there the `+` keeps it on the filter's own index and a sort of the few rows.
/// PostgreSQL chooses by its statistics.
fn order_by(f: &OrganisationFilter, postgres: bool) -> &'static str {
    let filtered = f.communes.is_some()
        || !f.families.is_empty()
        || !f.naf_sections.is_empty()
        || !f.size_bands.is_empty()
        || f.employer.is_some()
        || f.text.is_some()
        || f.bbox.is_some();
    if filtered && !postgres {
        " ORDER BY +name, +siret"
    } else {
        " ORDER BY name, siret"
    }
}

impl Db {
    /// One page of public establishments matching `filter`, sorted by name then SIRET
    /// (stable across pages). `limit` is bounded by the caller.
    pub async fn organisations(
        &self,
        filter: &OrganisationFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<OrganisationRow>> {
        let postgres = self.is_postgres();
        Ok(on_pool!(self, p => {
            let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM establishments"));
            push_filter(&mut q, filter, postgres);
            q.push(order_by(filter, postgres)).push(" LIMIT ").push_bind(limit);
            q.push(" OFFSET ").push_bind(offset);
            q.build_query_as().fetch_all(p).await
        })?)
    }

    /// The number of public establishments matching `filter` and one page of them,
    /// read in one transaction: both from the same state of the registry, even while
    /// an import replaces the edition (two separate reads could give the old count
    /// with the new rows).
    pub async fn organisations_page(
        &self,
        filter: &OrganisationFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<OrganisationRow>)> {
        let postgres = self.is_postgres();
        let mut tx = self.begin_read().await?;
        let total: i64 = on_tx!(&mut tx, t => {
            let mut q = QueryBuilder::new("SELECT COUNT(*) FROM establishments");
            push_filter(&mut q, filter, postgres);
            q.build_query_scalar().fetch_one(&mut **t).await
        })?;
        let rows = on_tx!(&mut tx, t => {
            let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM establishments"));
            push_filter(&mut q, filter, postgres);
            q.push(order_by(filter, postgres)).push(" LIMIT ").push_bind(limit);
            q.push(" OFFSET ").push_bind(offset);
            q.build_query_as().fetch_all(&mut **t).await
        })?;
        tx.commit().await?;
        Ok((total, rows))
    }

    /// One public establishment, or `None` (unknown or protected: the same answer, so
    /// that a protected SIRET's existence is not revealed).
    pub async fn organisation(&self, edition: i64, siret: &str) -> Result<Option<OrganisationRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM establishments WHERE edition = $1 AND siret = $2 AND NOT protected"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(edition)
            .bind(siret)
            .fetch_optional(p)
            .await)?)
    }
}

/// What the organisations tile layer needs of one public, located establishment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PointRow {
    pub siret: String,
    pub name: String,
    pub family: String,
    pub naf: Option<String>,
    pub employer: bool,
    pub location_approximate: bool,
    pub lon: f64,
    pub lat: f64,
}

impl Db {
    /// Every public establishment of `edition` that has a location (protected ones
    /// are never placed: BRIEF rule 5).
    pub async fn organisation_points(&self, edition: i64) -> Result<Vec<PointRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT siret, name, family, naf, employer, location_approximate, lon, lat \
             FROM establishments WHERE edition = $1 AND NOT protected \
             AND lon IS NOT NULL AND lat IS NOT NULL ORDER BY siret",
        )
        .bind(edition)
        .fetch_all(p)
        .await)?)
    }

    /// The public, located establishments of `edition` inside `[min_lon, min_lat,
    /// max_lon, max_lat]` (the map of a summary; protected ones are never placed).
    pub async fn organisation_points_in(
        &self,
        edition: i64,
        bbox: [f64; 4],
    ) -> Result<Vec<PointRow>> {
        let [min_lon, min_lat, max_lon, max_lat] = bbox;
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT siret, name, family, naf, employer, location_approximate, lon, lat \
             FROM establishments WHERE edition = $1 AND NOT protected \
             AND lon BETWEEN $2 AND $3 AND lat BETWEEN $4 AND $5 ORDER BY siret",
        )
        .bind(edition)
        .bind(min_lon)
        .bind(max_lon)
        .bind(min_lat)
        .bind(max_lat)
        .fetch_all(p)
        .await)?)
    }
}
