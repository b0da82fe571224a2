//! SQL for the geography cache: communes, EPCI, territories and the mapping.

use super::{Db, DbError, Field, Result};
use crate::geography::{CommuneRecord, EpciRecord, GeographyRecords, OutlineRecord};
use crate::spatial::boundaries::DepartmentInput;
use geo::MultiPolygon;

fn geometry_to_text(g: &MultiPolygon<f64>) -> String {
    geojson::Geometry::from(g).to_string()
}

fn geometry_from_text(code: &str, text: &str) -> Result<MultiPolygon<f64>> {
    let corrupt = |e: String| DbError::Geography(format!("geometry of {code}: {e}"));
    let geometry: geojson::Geometry = text
        .parse()
        .map_err(|e: geojson::Error| corrupt(e.to_string()))?;
    MultiPolygon::<f64>::try_from(geometry.value).map_err(|e| corrupt(e.to_string()))
}

impl Db {
    /// Fingerprint of the geodata the cached geography was built from, if any.
    pub async fn geodata_fingerprint(&self) -> Result<Option<String>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT fingerprint FROM geodata_state WHERE id = 1")
                .fetch_optional(p)
                .await?
        }))
    }

    /// Replaces the cached geography in one transaction: readers see the old one or
    /// the new one, and a failure leaves the old one.
    pub async fn store_geography(&self, records: &GeographyRecords) -> Result<()> {
        let mut tx = self.begin().await?;
        if tx.is_postgres() {
            // Instances starting together on new geodata: one writes, the others
            // wait and then replace it with the same rows (READ COMMITTED: the
            // deletes below see what the first one committed).
            on_tx!(&mut tx, t => sqlx::query("LOCK TABLE geodata_state IN EXCLUSIVE MODE")
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        for table in [
            "commune_territory",
            "communes",
            "epci",
            "territories",
            "geodata_state",
        ] {
            on_tx!(&mut tx, t => sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut **t)
                .await.map(|_| ()))?;
        }
        for r in &records.territories {
            on_tx!(&mut tx, t => sqlx::query(
                "INSERT INTO territories (code, name, area_km2, geometry) VALUES ($1, $2, $3, $4)",
            )
            .bind(&r.code)
            .bind(&r.name)
            .bind(r.area_km2)
            .bind(geometry_to_text(&r.geometry))
            .execute(&mut **t)
            .await.map(|_| ()))?;
        }
        for e in &records.epci {
            on_tx!(&mut tx, t => sqlx::query(
                "INSERT INTO epci (siren, name, short_name, kind, area_km2, geometry) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&e.outline.code)
            .bind(&e.outline.name)
            .bind(&e.short_name)
            .bind(&e.kind)
            .bind(e.outline.area_km2)
            .bind(geometry_to_text(&e.outline.geometry))
            .execute(&mut **t)
            .await.map(|_| ()))?;
        }
        for c in &records.communes {
            on_tx!(&mut tx, t => sqlx::query(
                "INSERT INTO communes (code_insee, name, population, epci_siren, area_km2, geometry) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&c.outline.code)
            .bind(&c.outline.name)
            .bind(c.population as i64)
            .bind(&c.epci)
            .bind(c.outline.area_km2)
            .bind(geometry_to_text(&c.outline.geometry))
            .execute(&mut **t)
            .await.map(|_| ()))?;
            on_tx!(&mut tx, t => sqlx::query(
                "INSERT INTO commune_territory (code_insee, territory_code) VALUES ($1, $2)",
            )
            .bind(&c.outline.code)
            .bind(&c.territory)
            .execute(&mut **t)
            .await.map(|_| ()))?;
        }
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO geodata_state (id, fingerprint, department_code, department_name, attribution, loaded_at) \
             VALUES (1, $1, $2, $3, $4, $5)",
        )
        .bind(&records.fingerprint)
        .bind(&records.department.code)
        .bind(&records.department.name)
        .bind(&records.department.attribution)
        .bind(super::sql_now())
        .execute(&mut **t)
        .await.map(|_| ()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads the cached geography back, or `None` when there is none.
    pub async fn load_geography(&self) -> Result<Option<GeographyRecords>> {
        let mut tx = self.begin().await?;
        let records = on_tx!(&mut tx, t => load_geography_in(t).await)?;
        tx.commit().await?;
        Ok(records)
    }
}

fn outline(row: &impl Field, code_column: &str) -> Result<OutlineRecord> {
    let code: String = row.field(code_column)?;
    let text: String = row.field("geometry")?;
    Ok(OutlineRecord {
        geometry: geometry_from_text(&code, &text)?,
        code,
        name: row.field("name")?,
        area_km2: row.field("area_km2")?,
    })
}

/// The geography cache as read inside one transaction (one snapshot), on either
/// backend.
async fn load_geography_in<DB>(
    t: &mut sqlx::Transaction<'static, DB>,
) -> Result<Option<GeographyRecords>>
where
    DB: sqlx::Database,
    DB::Row: Field,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let Some(state) = sqlx::query::<DB>(
        "SELECT fingerprint, department_code, department_name, attribution FROM geodata_state WHERE id = 1",
    )
    .fetch_optional(&mut **t)
    .await?
    else {
        return Ok(None);
    };
    let department = DepartmentInput {
        code: state.field("department_code")?,
        name: state.field("department_name")?,
        attribution: state.field("attribution")?,
    };
    let territories =
        sqlx::query::<DB>("SELECT code, name, area_km2, geometry FROM territories ORDER BY code")
            .fetch_all(&mut **t)
            .await?
            .iter()
            .map(|r| outline(r, "code"))
            .collect::<Result<Vec<_>>>()?;
    let epci = sqlx::query::<DB>(
        "SELECT siren, name, short_name, kind, area_km2, geometry FROM epci ORDER BY siren",
    )
    .fetch_all(&mut **t)
    .await?
    .iter()
    .map(|r| {
        Ok(EpciRecord {
            outline: outline(r, "siren")?,
            short_name: r.field("short_name")?,
            kind: r.field("kind")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let communes = sqlx::query::<DB>(
        "SELECT c.code_insee, c.name, c.population, c.epci_siren, c.area_km2, c.geometry, \
                m.territory_code \
         FROM communes c JOIN commune_territory m ON m.code_insee = c.code_insee \
         ORDER BY c.code_insee",
    )
    .fetch_all(&mut **t)
    .await?
    .iter()
    .map(|r| {
        let population: i64 = r.field("population")?;
        Ok(CommuneRecord {
            outline: outline(r, "code_insee")?,
            population: u64::try_from(population)
                .map_err(|_| DbError::Geography("negative population".into()))?,
            epci: r.field("epci_siren")?,
            territory: r.field("territory_code")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(Some(GeographyRecords {
        department,
        territories,
        epci,
        communes,
        fingerprint: state.field("fingerprint")?,
    }))
}
