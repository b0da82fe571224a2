//! SQL for the Département's subsidies: what matching reads from the registry, the
//! matched lines of an edition, and the aggregates the indicators read.

use serde::Serialize;

use super::{Db, DbError, Field, Result, Tx};
use crate::ess::Family;
use crate::records::ImportReport;
use crate::records::cells::SubsidyCell;
use crate::records::subsidies::{
    Beneficiary, BeneficiaryId, MatchMethod, MatchedLine, RegistryEntry, SubsidyLine,
};

/// A stored subsidy line, as staff lists show it (the file's own public fields, the
/// status and how it was matched; never registry details of the establishment).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SubsidyRecord {
    pub line: i64,
    pub beneficiary_name: String,
    pub beneficiary_id: Option<String>,
    pub rna: Option<String>,
    pub convention_date: Option<String>,
    pub object: Option<String>,
    pub amount: f64,
    pub share: f64,
    pub granted: f64,
    pub status: String,
    pub match_method: Option<String>,
    pub note: Option<String>,
}

/// An ESS subsidy line where it lands (SCDL files are public: names and amounts are
/// open data).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EssGrant {
    pub beneficiary_name: String,
    pub code_insee: String,
    pub family: Option<String>,
    pub granted: f64,
    pub object: Option<String>,
}

/// Lines and euros per status and match method.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubsidyTally {
    pub status: String,
    pub match_method: Option<String>,
    pub lines: i64,
    pub granted: f64,
}

impl Db {
    /// Every establishment of an edition, ESS or not, as matching needs it.
    pub async fn beneficiary_entries(&self, year: i64) -> Result<Vec<RegistryEntry>> {
        on_pool!(self, p => sqlx::query(
            "SELECT siret, siren, rna, siege, jobs_estimate, code_insee, family, naf_section, size_band \
             FROM establishments WHERE edition = $1 \
             UNION ALL \
             SELECT siret, siren, rna, siege, 0.0, code_insee, NULL, NULL, NULL \
             FROM other_establishments WHERE edition = $1 ORDER BY siret",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
            .map(|r| {
                let family: Option<String> = r.field("family")?;
                let family = family
                    .map(|f| {
                        Family::from_id(&f)
                            .ok_or_else(|| DbError::Stored(format!("unknown family {f:?}")))
                    })
                    .transpose()?;
                Ok(RegistryEntry {
                    siret: r.field("siret")?,
                    siren: r.field("siren")?,
                    rna: r.field("rna")?,
                    siege: r.field("siege")?,
                    jobs: r.field("jobs_estimate")?,
                    code_insee: r.field("code_insee")?,
                    family,
                    naf_section: r.field("naf_section")?,
                    size_band: r.field("size_band")?,
                })
            })
            .collect())
    }

    /// The edition's public ESS establishments of the four families, the beneficiaries
    /// the demonstration subsidies file is drawn from.
    pub async fn demo_beneficiaries(&self, year: i64) -> Result<Vec<Beneficiary>> {
        on_pool!(self, p => sqlx::query(
            "SELECT siret, siren, rna, name, family, naf_section, jobs_estimate, siege \
             FROM establishments WHERE edition = $1 AND NOT protected \
             AND family IN ('association', 'cooperative', 'mutuelle', 'fondation') ORDER BY siret",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            let family: String = r.field("family")?;
            Ok(Beneficiary {
                siret: r.field("siret")?,
                siren: r.field("siren")?,
                rna: r.field("rna")?,
                name: r.field("name")?,
                family: Family::from_id(&family)
                    .ok_or_else(|| DbError::Stored(format!("unknown family {family:?}")))?,
                naf_section: r.field("naf_section")?,
                jobs: r.field("jobs_estimate")?,
                siege: r.field("siege")?,
            })
        })
        .collect())
    }

    /// Replaces the subsidies of an existing edition in one transaction, with the
    /// import's report. `Ok(false)` when the edition does not exist.
    pub async fn replace_subsidies(
        &self,
        year: i64,
        lines: &[MatchedLine],
        report: &ImportReport,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = on_tx!(&mut tx, t => sqlx::query_scalar("SELECT year FROM editions WHERE year = $1")
            .bind(year)
            .fetch_optional(&mut **t)
            .await)?;
        if exists.is_none() {
            return Ok(false);
        }
        write_lines(&mut tx, year, lines).await?;
        super::registry::record_import(&mut tx, year, report).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stored lines of an edition with one of `statuses`, by line.
    pub async fn subsidy_lines(&self, year: i64, statuses: &[&str]) -> Result<Vec<SubsidyRecord>> {
        let placeholders: Vec<String> =
            (0..statuses.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT line, beneficiary_name, beneficiary_id, rna, convention_date, object, amount, \
             share, granted, status, match_method, note \
             FROM subsidies WHERE edition = $1 AND status IN ({}) ORDER BY line",
            placeholders.join(", ")
        );
        Ok(on_pool!(self, p => {
            let mut query = sqlx::query_as(&sql).bind(year);
            for s in statuses {
                query = query.bind(*s);
            }
            query.fetch_all(p).await
        })?)
    }

    /// The ESS lines of an edition as public summaries list them: beneficiary, commune
    /// of the establishment the line is attributed to, family, amount received and object.
    pub async fn ess_grants(&self, year: i64) -> Result<Vec<EssGrant>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT beneficiary_name, code_insee, family, granted, object FROM subsidies \
             WHERE edition = $1 AND status = 'ess' AND code_insee IS NOT NULL ORDER BY line",
        )
        .bind(year)
        .fetch_all(p)
        .await)?)
    }

    /// Lines and euros of an edition per status and match method.
    pub async fn subsidy_tallies(&self, year: i64) -> Result<Vec<SubsidyTally>> {
        on_pool!(self, p => sqlx::query(
            "SELECT status, match_method, COUNT(*) AS n, SUM(granted) AS granted FROM subsidies \
             WHERE edition = $1 GROUP BY status, match_method ORDER BY status, match_method NULLS FIRST",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            Ok(SubsidyTally {
                status: r.field("status")?,
                match_method: r.field("match_method")?,
                lines: r.field("n")?,
                granted: r.field("granted")?,
            })
        })
        .collect())
    }

    /// The ESS subsidies of an edition per commune, family, section and band, and
    /// whether the edition has any subsidies file at all.
    pub async fn subsidy_cells(&self, year: i64) -> Result<(Vec<SubsidyCell>, bool)> {
        let any: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM subsidies WHERE edition = $1")
            .bind(year)
            .fetch_one(p)
            .await)?;
        let cells = on_pool!(self, p => sqlx::query(
            "SELECT s.code_insee, s.family, s.naf_section, s.size_band, \
                    COALESCE(e.protected, FALSE) AS protected, SUM(s.granted) AS granted \
             FROM subsidies s \
             LEFT JOIN establishments e ON e.edition = s.edition AND e.siret = s.siret \
             WHERE s.edition = $1 AND s.status = 'ess' \
             GROUP BY s.code_insee, s.family, s.naf_section, s.size_band, COALESCE(e.protected, FALSE) \
             ORDER BY s.code_insee, s.family, s.naf_section, s.size_band, 5",
        )
        .bind(year)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            let family: String = r.field("family")?;
            Ok(SubsidyCell {
                code_insee: r.field("code_insee")?,
                family: Family::from_id(&family)
                    .ok_or_else(|| DbError::Stored(format!("unknown family {family:?}")))?,
                naf_section: r.field("naf_section")?,
                size_band: r.field("size_band")?,
                protected: r.field("protected")?,
                granted: r.field("granted")?,
            })
        })
        .collect::<Result<Vec<_>>>())?;
        Ok((cells, any > 0))
    }
}

/// Given an edition's subsidy lines as imported, matches them against the registry
/// being written and returns the report to store: how an import of SIRENE files
/// re-matches the subsidies in its own transaction (see [`Db::replace_registry`]).
pub type Rematch<'a> =
    Box<dyn FnOnce(Vec<SubsidyLine>) -> (Vec<MatchedLine>, ImportReport) + Send + 'a>;

/// Replaces an edition's subsidy lines inside `tx`.
pub(super) async fn write_lines(tx: &mut Tx, year: i64, lines: &[MatchedLine]) -> Result<()> {
    on_tx!(tx, t => sqlx::query("DELETE FROM subsidies WHERE edition = $1")
            .bind(year)
            .execute(&mut **t)
            .await.map(|_| ()))?;
    for m in lines {
        let l = &m.line;
        let e = m.entry.as_ref();
        on_tx!(tx, t => sqlx::query(
                "INSERT INTO subsidies (edition, line, attribuant_name, attribuant_id, beneficiary_name, \
                 beneficiary_id, rna, convention_date, decision_reference, object, nature, amount, share, \
                 granted, status, match_method, siret, code_insee, family, naf_section, size_band, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $18, $19, $20, $21, $22)",
            )
            .bind(year)
            .bind(l.line as i64)
            .bind(&l.attribuant_name)
            .bind(&l.attribuant_id)
            .bind(&l.beneficiary_name)
            .bind(l.beneficiary_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(&l.rna)
            .bind(&l.convention_date)
            .bind(&l.decision_reference)
            .bind(&l.object)
            .bind(&l.nature)
            .bind(l.amount)
            .bind(l.share)
            .bind(l.granted())
            .bind(m.status.id())
            .bind(m.method.map(MatchMethod::id))
            .bind(e.map(|e| &e.siret))
            .bind(e.map(|e| &e.code_insee))
            .bind(e.and_then(|e| e.family).map(Family::id))
            .bind(e.and_then(|e| e.naf_section.as_ref()))
            .bind(e.and_then(|e| e.size_band.as_ref()))
            .bind(&m.note)
            .execute(&mut **t)
            .await.map(|_| ()))?;
    }
    Ok(())
}

/// The subsidy lines of an edition as the file gave them (before matching), by line.
pub(super) async fn stored_lines(tx: &mut Tx, year: i64) -> Result<Vec<SubsidyLine>> {
    on_tx!(tx, t => sqlx::query(
        "SELECT line, attribuant_name, attribuant_id, beneficiary_name, beneficiary_id, rna, \
         convention_date, decision_reference, object, nature, amount, share \
         FROM subsidies WHERE edition = $1 ORDER BY line",
    )
    .bind(year)
    .fetch_all(&mut **t)
    .await?
    .iter()
    .map(subsidy_line)
    .collect())
}

fn subsidy_line(r: &impl Field) -> Result<SubsidyLine> {
    let line: i64 = r.field("line")?;
    let id: Option<String> = r.field("beneficiary_id")?;
    Ok(SubsidyLine {
        line: line.unsigned_abs(),
        attribuant_name: r.field("attribuant_name")?,
        attribuant_id: r.field("attribuant_id")?,
        beneficiary_name: r.field("beneficiary_name")?,
        // Stored as read: 14 digits or 9.
        beneficiary_id: id.map(|id| {
            if id.len() == 14 {
                BeneficiaryId::Siret(id)
            } else {
                BeneficiaryId::Siren(id)
            }
        }),
        rna: r.field("rna")?,
        convention_date: r.field("convention_date")?,
        decision_reference: r.field("decision_reference")?,
        object: r.field("object")?,
        nature: r.field("nature")?,
        amount: r.field("amount")?,
        share: r.field("share")?,
    })
}
