//! SQL for the geography cache: communes, EPCI, territories and the mapping.

use geo::MultiPolygon;
use sqlx::Row;

use super::{Db, DbError, Result};
use crate::geography::{CommuneRecord, EpciRecord, GeographyRecords, OutlineRecord};
use crate::spatial::boundaries::DepartmentInput;

fn geometry_to_text(g: &MultiPolygon<f64>) -> String {
    geojson::Geometry::from(g).to_string()
}

fn geometry_from_text(code: &str, text: &str) -> Result<MultiPolygon<f64>> {
    let corrupt = |e: String| DbError::Corrupt(format!("geometry of {code}: {e}"));
    let geometry: geojson::Geometry = text
        .parse()
        .map_err(|e: geojson::Error| corrupt(e.to_string()))?;
    MultiPolygon::<f64>::try_from(geometry.value).map_err(|e| corrupt(e.to_string()))
}

impl Db {
    /// Fingerprint of the geodata the cached geography was built from, if any.
    pub async fn geodata_fingerprint(&self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT fingerprint FROM geodata_state WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Replaces the cached geography in one transaction: readers see the old one or
    /// the new one, and a failure leaves the old one.
    pub async fn store_geography(&self, records: &GeographyRecords) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "commune_territory",
            "communes",
            "epci",
            "territories",
            "geodata_state",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        for t in &records.territories {
            sqlx::query(
                "INSERT INTO territories (code, name, area_km2, geometry) VALUES ($1, $2, $3, $4)",
            )
            .bind(&t.code)
            .bind(&t.name)
            .bind(t.area_km2)
            .bind(geometry_to_text(&t.geometry))
            .execute(&mut *tx)
            .await?;
        }
        for e in &records.epci {
            sqlx::query(
                "INSERT INTO epci (siren, name, short_name, kind, area_km2, geometry) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&e.outline.code)
            .bind(&e.outline.name)
            .bind(&e.short_name)
            .bind(&e.kind)
            .bind(e.outline.area_km2)
            .bind(geometry_to_text(&e.outline.geometry))
            .execute(&mut *tx)
            .await?;
        }
        for c in &records.communes {
            sqlx::query(
                "INSERT INTO communes (code_insee, name, population, epci_siren, area_km2, geometry) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&c.outline.code)
            .bind(&c.outline.name)
            .bind(c.population as i64)
            .bind(&c.epci)
            .bind(c.outline.area_km2)
            .bind(geometry_to_text(&c.outline.geometry))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO commune_territory (code_insee, territory_code) VALUES ($1, $2)",
            )
            .bind(&c.outline.code)
            .bind(&c.territory)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO geodata_state (id, fingerprint, department_code, department_name, attribution, loaded_at) \
             VALUES (1, $1, $2, $3, $4, datetime('now'))",
        )
        .bind(&records.fingerprint)
        .bind(&records.department.code)
        .bind(&records.department.name)
        .bind(&records.department.attribution)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads the cached geography back, or `None` when there is none.
    pub async fn load_geography(&self) -> Result<Option<GeographyRecords>> {
        let mut tx = self.pool.begin().await?;
        let Some(state) = sqlx::query(
            "SELECT fingerprint, department_code, department_name, attribution FROM geodata_state WHERE id = 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let department = DepartmentInput {
            code: state.try_get("department_code")?,
            name: state.try_get("department_name")?,
            attribution: state.try_get("attribution")?,
        };
        let outline = |row: &sqlx::sqlite::SqliteRow, code_column: &str| -> Result<OutlineRecord> {
            let code: String = row.try_get(code_column)?;
            let text: String = row.try_get("geometry")?;
            Ok(OutlineRecord {
                geometry: geometry_from_text(&code, &text)?,
                code,
                name: row.try_get("name")?,
                area_km2: row.try_get("area_km2")?,
            })
        };
        let territories =
            sqlx::query("SELECT code, name, area_km2, geometry FROM territories ORDER BY code")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| outline(r, "code"))
                .collect::<Result<Vec<_>>>()?;
        let epci = sqlx::query(
            "SELECT siren, name, short_name, kind, area_km2, geometry FROM epci ORDER BY siren",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(EpciRecord {
                outline: outline(r, "siren")?,
                short_name: r.try_get("short_name")?,
                kind: r.try_get("kind")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let communes = sqlx::query(
            "SELECT c.code_insee, c.name, c.population, c.epci_siren, c.area_km2, c.geometry, \
                    m.territory_code \
             FROM communes c JOIN commune_territory m ON m.code_insee = c.code_insee \
             ORDER BY c.code_insee",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            let population: i64 = r.try_get("population")?;
            Ok(CommuneRecord {
                outline: outline(r, "code_insee")?,
                population: u64::try_from(population)
                    .map_err(|_| DbError::Corrupt("negative population".into()))?,
                epci: r.try_get("epci_siren")?,
                territory: r.try_get("territory_code")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(Some(GeographyRecords {
            department,
            territories,
            epci,
            communes,
            fingerprint: state.try_get("fingerprint")?,
        }))
    }
}
