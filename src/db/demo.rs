//! SQL that writes the demonstration's co-construction (`records::demo_coconstruction`): its
//! disabled accounts, published portraits with their plan, closed consultations and
//! their moderated contributions, partners' decided proposals, the CDESS's
//! proposals, the organisations' moderated declarations. One transaction, called by `operations::demo` while the start-up lock
//! is held, like the rest of the demonstration: a second instance starting on the
//! same database waits for the lock, then finds everything.

use serde_json::json;

use super::coconstruction::add_cdess_in;
use super::consultations::ANONYMISED_NAME;
use super::plans::{create_action_in, create_orientation_in};
use super::portraits::Actor;
use super::{ActionFields, Db, NewCdessProposal, OrientationFields, Result, Tx};
use crate::records::demo_coconstruction::{
    CDESS, DECLARATIONS, EDITION, MISSION_USER, PARTNERS, PENDING_DECLARANT, TERRITORIES,
};

/// A password hash no password matches: the demonstration's accounts never sign in.
const NO_PASSWORD: &str = "!demo";

async fn demo_user(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    role: &str,
    organisation: Option<&str>,
) -> Result<i64> {
    Ok(on_tx!(tx, t => sqlx::query_scalar(
        "INSERT INTO users (username, display_name, role, password_hash, disabled, created_at, \
         organisation) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(role)
    .bind(NO_PASSWORD)
    .bind(true)
    .bind(crate::time::now_utc())
    .bind(organisation)
    .fetch_one(&mut **t)
    .await)?)
}

/// Public associations of `territory` in the edition's registry, by SIRET.
async fn associations(tx: &mut Tx, territory: &str) -> Result<Vec<String>> {
    Ok(on_tx!(tx, t => sqlx::query_scalar(
        "SELECT e.siret FROM establishments e \
         JOIN commune_territory ct ON ct.code_insee = e.code_insee \
         WHERE e.edition = $1 AND ct.territory_code = $2 AND NOT e.protected \
         AND e.family = 'association' ORDER BY e.siret LIMIT 4",
    )
    .bind(EDITION)
    .bind(territory)
    .fetch_all(&mut **t)
    .await)?)
}

/// The `rank`-th placed public establishment of `family` and NAF code `naf` in
/// `territory` (biggest estimated workforce first, ties by SIRET): its SIRET and
/// commune.
async fn placed_establishment(
    tx: &mut Tx,
    territory: &str,
    (family, naf): (&str, &str),
    rank: usize,
) -> Result<Option<(String, String)>> {
    let offset = i64::try_from(rank).unwrap_or(i64::MAX);
    Ok(on_tx!(tx, t => sqlx::query_as(
        "SELECT e.siret, e.code_insee FROM establishments e \
         JOIN commune_territory ct ON ct.code_insee = e.code_insee \
         WHERE e.edition = $1 AND ct.territory_code = $2 AND e.family = $3 AND e.naf = $5 \
         AND NOT e.protected AND e.lon IS NOT NULL AND e.lat IS NOT NULL \
         AND NOT e.location_approximate \
         ORDER BY e.jobs_estimate DESC, e.siret LIMIT 1 OFFSET $4",
    )
    .bind(EDITION)
    .bind(territory)
    .bind(family)
    .bind(offset)
    .bind(naf)
    .fetch_optional(&mut **t)
    .await)?)
}

/// The organisations' declarations (`records::demo_coconstruction::DECLARATIONS`),
/// moderated by `mission`; the ones no longer awaiting moderation already anonymised,
/// as the retention period would have done. A declaration whose establishment the
/// registry does not have is left out (the demo's registry always has them).
async fn demo_declarations(tx: &mut Tx, mission: i64) -> Result<()> {
    for d in DECLARATIONS {
        let Some((siret, commune)) =
            placed_establishment(tx, d.territory, (d.family, d.naf), d.rank).await?
        else {
            continue;
        };
        let received = crate::time::iso_from_unix(d.received);
        let pending = d.status == "en_attente";
        let (name, email) = if pending {
            PENDING_DECLARANT
        } else {
            (ANONYMISED_NAME, "")
        };
        let moderated = (!pending).then(|| crate::time::iso_from_unix(d.received + 7 * 86_400));
        let list = |items: &[&str]| serde_json::Value::from(items.to_vec()).to_string();
        on_tx!(tx, t => sqlx::query(
            "INSERT INTO declarations (siret, commune, description, website, esus, labels, \
             networks, activities, name, role, email, consent_at, ip, status, reason, \
             created_at, moderated_at, moderated_by, confirmed_at, anonymised_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, $14, $15, \
             $16, $17, $12, $18)",
        )
        .bind(&siret)
        .bind(&commune)
        .bind(d.description)
        .bind(d.website)
        .bind(d.esus)
        .bind(list(d.labels))
        .bind(list(d.networks))
        .bind(list(d.activities))
        .bind(name)
        .bind(d.role)
        .bind(email)
        .bind(&received)
        .bind(d.status)
        .bind(d.reason)
        .bind(d.received)
        .bind(moderated.as_deref())
        .bind((!pending).then_some(mission))
        .bind(moderated.as_deref())
        .execute(&mut **t)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

impl Db {
    /// Writes the demonstration's co-construction; nothing when its accounts exist
    /// (already written).
    #[allow(clippy::too_many_lines)] // the demo's rows, in the order they refer to each other
    pub async fn load_demo_coconstruction(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        let exists: i64 = on_tx!(&mut tx, t => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE username = $1",
        )
        .bind(MISSION_USER.0)
        .fetch_one(&mut **t)
        .await)?;
        if exists > 0 {
            return Ok(());
        }
        let mission = demo_user(
            &mut tx,
            MISSION_USER.0,
            MISSION_USER.1,
            "charge_de_mission",
            None,
        )
        .await?;
        let actor = Actor {
            user_id: mission,
            username: MISSION_USER.0,
        };
        let mut partners = Vec::new();
        for (username, name, organisation) in PARTNERS {
            partners
                .push(demo_user(&mut tx, username, name, "partenaire", Some(organisation)).await?);
        }
        for t in TERRITORIES {
            on_tx!(&mut tx, x => sqlx::query(
                "INSERT INTO user_territories (user_id, territory) VALUES ($1, $2), ($3, $2)",
            )
            .bind(partners[0])
            .bind(t.code)
            .bind(partners[1])
            .execute(&mut **x)
            .await
            .map(|_| ()))?;
            let orientation = create_orientation_in(
                &mut tx,
                actor,
                &OrientationFields {
                    territory: t.code.to_owned(),
                    edition: EDITION,
                    period_start: 2024,
                    period_end: 2029,
                    title: t.orientation.to_owned(),
                    description: "Orientation de démonstration.".to_owned(),
                },
            )
            .await?;
            let mut actions = Vec::new();
            for (i, title) in t.actions.iter().enumerate() {
                let action = create_action_in(
                    &mut tx,
                    actor,
                    &ActionFields {
                        orientation_id: orientation.id,
                        title: (*title).to_owned(),
                        description: String::new(),
                        epci: Vec::new(),
                        pilot: "Maison du Département (démonstration)".to_owned(),
                        partners: Vec::new(),
                        budgets: Vec::new(),
                        status: "en_cours".to_owned(),
                        flagship: i == 0,
                        start_date: Some("2024-09-01".to_owned()),
                        end_date: None,
                        indicators: Vec::new(),
                    },
                )
                .await?;
                actions.push(action.id);
            }
            // The consultation, closed the day after it ended.
            let (starts, ends) = t.consultation;
            let closed_at = format!("{ends}T18:00:00Z");
            let consultation: i64 = on_tx!(&mut tx, x => sqlx::query_scalar(
                "INSERT INTO consultations (territory, edition, starts_on, ends_on, introduction, \
                 status, created_at, created_by, closed_at) \
                 VALUES ($1, $2, $3, $4, $5, 'close', $6, $7, $8) RETURNING id",
            )
            .bind(t.code)
            .bind(EDITION)
            .bind(starts)
            .bind(ends)
            .bind("Consultation de démonstration sur le projet de plan d'action du territoire.")
            .bind(format!("{starts}T09:00:00Z"))
            .bind(mission)
            .bind(&closed_at)
            .fetch_one(&mut **x)
            .await)?;
            let sirets = associations(&mut tx, t.code).await?;
            let mut known = sirets.iter();
            let created = t.received;
            for c in t.contributions {
                let (organisation, siret) = match c.organisation {
                    Some(o) => (o.to_owned(), None),
                    None => match known.next() {
                        Some(s) => (
                            "Association adhérente (démonstration)".to_owned(),
                            Some(s.clone()),
                        ),
                        None => ("Association adhérente (démonstration)".to_owned(), None),
                    },
                };
                let (orientation_id, action_id) = if c.on_action {
                    (None, Some(actions[0]))
                } else {
                    (Some(orientation.id), None)
                };
                on_tx!(&mut tx, x => sqlx::query(
                    "INSERT INTO contributions (consultation_id, kind, orientation_id, action_id, \
                     body, name, organisation, role, email, siret, consent_at, ip, status, reason, \
                     created_at, moderated_at, moderated_by, confirmed_at, anonymised_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, '', $11, $12, $13, $14, \
                     $15, $10, $14)",
                )
                .bind(consultation)
                .bind(c.kind)
                .bind(orientation_id)
                .bind(action_id)
                .bind(c.body)
                .bind(ANONYMISED_NAME)
                .bind(&organisation)
                .bind(c.role)
                .bind(siret.as_deref())
                .bind(format!("{starts}T10:00:00Z"))
                .bind(c.status)
                .bind(c.reason)
                .bind(created)
                .bind(&closed_at)
                .bind(mission)
                .execute(&mut **x)
                .await
                .map(|_| ()))?;
            }
            for p in t.proposals {
                let (status, reason, decided) = if p.accepted {
                    ("acceptee", None, Some(format!("{ends}T17:00:00Z")))
                } else {
                    (
                        "refusee",
                        Some("Déjà prévu au plan départemental."),
                        Some(format!("{ends}T17:00:00Z")),
                    )
                };
                on_tx!(&mut tx, x => sqlx::query(
                    "INSERT INTO partner_proposals (territory, edition, kind, orientation_id, title, \
                     body, organisation, author_id, status, reason, created_at, decided_at, \
                     decided_by) VALUES ($1, $2, 'action', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(t.code)
                .bind(EDITION)
                .bind(orientation.id)
                .bind(p.title)
                .bind(p.body)
                .bind(PARTNERS[p.partner].2)
                .bind(partners[p.partner])
                .bind(status)
                .bind(reason)
                .bind(format!("{starts}T11:00:00Z"))
                .bind(decided)
                .bind(mission)
                .execute(&mut **x)
                .await
                .map(|_| ()))?;
            }
            // The portrait, published through its four steps.
            let sections = json!({"jeux_acteurs": t.portrait}).to_string();
            on_tx!(&mut tx, x => sqlx::query(
                "INSERT INTO portraits (territory, edition, status, sections, created_at, updated_at, \
                 updated_by) VALUES ($1, $2, 'publie', $3, $4, $5, $6)",
            )
            .bind(t.code)
            .bind(EDITION)
            .bind(&sections)
            .bind(format!("{starts}T08:00:00Z"))
            .bind("2024-06-28T10:00:00Z")
            .bind(mission)
            .execute(&mut **x)
            .await
            .map(|_| ()))?;
            for (from, to, body, reference, at) in [
                ("brouillon", "soumis", None, None, "2024-04-22"),
                (
                    "soumis",
                    "valide",
                    Some("commission territoriale"),
                    Some("CT-DEMO-2024"),
                    "2024-05-14",
                ),
                (
                    "valide",
                    "adopte",
                    Some("Assemblée départementale"),
                    Some("AD-DEMO-2024"),
                    "2024-06-24",
                ),
                ("adopte", "publie", None, None, "2024-06-28"),
            ] {
                on_tx!(&mut tx, x => sqlx::query(
                    "INSERT INTO portrait_transitions (territory, edition, from_status, to_status, \
                     user_id, at, body, decision_ref, comment) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'Données de démonstration.')",
                )
                .bind(t.code)
                .bind(EDITION)
                .bind(from)
                .bind(to)
                .bind(mission)
                .bind(format!("{at}T10:00:00Z"))
                .bind(body)
                .bind(reference)
                .execute(&mut **x)
                .await
                .map(|_| ()))?;
            }
        }
        for (session_on, title, body) in CDESS {
            let row = add_cdess_in(
                &mut tx,
                actor,
                &NewCdessProposal {
                    edition: EDITION,
                    session_on: session_on.to_owned(),
                    title: title.to_owned(),
                    body: body.to_owned(),
                    orientation_id: None,
                },
            )
            .await?;
            // Recorded the evening of its session, as a chargé de mission would, not
            // when the demo was loaded (the history keeps the load's own time).
            on_tx!(&mut tx, x => sqlx::query(
                "UPDATE cdess_proposals SET created_at = $1 WHERE id = $2",
            )
            .bind(format!("{session_on}T18:00:00Z"))
            .bind(row.id)
            .execute(&mut **x)
            .await
            .map(|_| ()))?;
        }
        demo_declarations(&mut tx, mission).await?;
        tx.commit().await?;
        Ok(())
    }
}
