//! The demonstration's co-construction (issue 20): what a portrait's co-construction
//! looks like once done, on two territories of the 2023 edition, so that a visitor
//! of the demo sees it in the fiches and the compendium. Pure data, among the records so
//! that `db` need not use `demo` (re-exported as `demo::coconstruction`); `db::demo`
//! writes it, in the start-up's lock, with the rest of the demonstration.
//!
//! For each territory: a published portrait with one orientation and two actions, a
//! consultation closed in 2024 with accepted, declined and spam contributions (their
//! authors already anonymised, as the retention period would have done), partners'
//! proposals (one accepted, one declined); for the département, the CDESS's
//! proposals. Every organisation is invented and says « démonstration »; the
//! contributions that name a registry organisation take one of the territory's
//! public associations (found by `db::demo` at load time).
//!
//! Organisations also speak for themselves: `DECLARATIONS` are what a few of the
//! registry's placed organisations of the two territories declared from their card
//! (« déclaré par la structure »), moderated: accepted ones shown on the card, one
//! awaiting moderation, one declined. Their presentation says « données de
//! démonstration » and their website is under `.example`, which leads nowhere.

/// The demo edition the co-construction belongs to.
pub const EDITION: i64 = 2023;

/// The demonstration accounts the rows are attributed to; disabled, never signed in.
pub const MISSION_USER: (&str, &str) = ("demo-mission", "Mission ESS (démonstration)");
/// Partner accounts: (user name, display name, organisation).
pub const PARTNERS: [(&str, &str, &str); 2] = [
    (
        "demo-cress",
        "Observatoire de la CRESS (démonstration)",
        "CRESS Hauts-de-France (démonstration)",
    ),
    (
        "demo-apes",
        "APES (démonstration)",
        "APES, réseau des acteurs de l'ESS (démonstration)",
    ),
];

/// One contribution of a demo consultation.
#[derive(Debug, Clone, Copy)]
pub struct Contribution {
    /// `commentaire`, `proposition` or `participation`.
    pub kind: &'static str,
    /// On the territory's first action (else on its orientation).
    pub on_action: bool,
    pub body: &'static str,
    /// `None`: one of the territory's public associations, recognised by SIRET.
    pub organisation: Option<&'static str>,
    pub role: &'static str,
    /// `acceptee`, `refusee` or `spam`.
    pub status: &'static str,
    pub reason: Option<&'static str>,
}

/// One partner's proposal: an action for the orientation, accepted or declined.
#[derive(Debug, Clone, Copy)]
pub struct Proposal {
    /// Index in [`PARTNERS`].
    pub partner: usize,
    pub title: &'static str,
    pub body: &'static str,
    pub accepted: bool,
}

/// One territory's co-construction.
#[derive(Debug, Clone, Copy)]
pub struct Territory {
    pub code: &'static str,
    pub portrait: &'static str,
    pub orientation: &'static str,
    pub actions: [&'static str; 2],
    /// `AAAA-MM-JJ`.
    pub consultation: (&'static str, &'static str),
    /// When its contributions came, Unix seconds (the consultation's first day, 10 h).
    pub received: i64,
    pub contributions: &'static [Contribution],
    pub proposals: &'static [Proposal],
}

/// A proposal of the CDESS: (session `AAAA-MM-JJ`, title, Markdown body).
pub type Cdess = (&'static str, &'static str, &'static str);

const AUD_CONTRIBUTIONS: &[Contribution] = &[
    Contribution {
        kind: "participation",
        on_action: true,
        body: "Notre association anime déjà un atelier de réparation de vélos à Saint-Omer.",
        organisation: None,
        role: "coordinatrice",
        status: "acceptee",
        reason: None,
    },
    Contribution {
        kind: "commentaire",
        on_action: true,
        body: "Prévoir des permanences dans les communes rurales du marais.",
        organisation: Some("Collectif des jardins partagés de l'Audomarois (démonstration)"),
        role: "bénévole",
        status: "acceptee",
        reason: None,
    },
    Contribution {
        kind: "proposition",
        on_action: false,
        body: "Créer une monnaie locale réservée aux commerces du centre-ville.",
        organisation: Some("Union des commerçants (démonstration)"),
        role: "président",
        status: "refusee",
        reason: Some("Hors du champ de l'ESS : la proposition ne concerne que des commerces."),
    },
    Contribution {
        kind: "commentaire",
        on_action: true,
        body: "Gagnez 500 € par jour depuis chez vous !",
        organisation: Some("Promo Express (démonstration)"),
        role: "",
        status: "spam",
        reason: None,
    },
];

const LEN_CONTRIBUTIONS: &[Contribution] = &[
    Contribution {
        kind: "proposition",
        on_action: false,
        body: "Ouvrir une ressourcerie dans une friche minière, avec des chantiers d'insertion.",
        organisation: None,
        role: "directeur",
        status: "acceptee",
        reason: None,
    },
    Contribution {
        kind: "participation",
        on_action: true,
        body: "Notre coopérative peut accueillir deux stagiaires par an.",
        organisation: Some("Coopérative d'activités du bassin minier (démonstration)"),
        role: "gérante",
        status: "acceptee",
        reason: None,
    },
    Contribution {
        kind: "commentaire",
        on_action: true,
        body: "Le projet devrait être confié à une entreprise privée.",
        organisation: Some("Cabinet Conseil Privé (démonstration)"),
        role: "consultant",
        status: "refusee",
        reason: Some("Contribution sans lien avec l'action commentée."),
    },
    Contribution {
        kind: "commentaire",
        on_action: false,
        body: "Achetez nos montres de luxe à prix cassés.",
        organisation: Some("Luxe Discount (démonstration)"),
        role: "",
        status: "spam",
        reason: None,
    },
];

/// The two territories of the demonstration's co-construction.
pub const TERRITORIES: [Territory; 2] = [
    Territory {
        code: "AUD",
        portrait: "Un tissu associatif dense autour de Saint-Omer, des coopératives agricoles \
                   dans le marais ; un portrait co-construit avec les acteurs du territoire \
                   (données de démonstration).",
        orientation: "Faire de la transition écologique un levier d'emploi de l'ESS",
        actions: [
            "Réseau d'ateliers de réparation et de réemploi",
            "Accompagner les jardins partagés vers l'emploi",
        ],
        consultation: ("2024-03-04", "2024-04-05"),
        received: 1_709_546_400,
        contributions: AUD_CONTRIBUTIONS,
        proposals: &[
            Proposal {
                partner: 0,
                title: "Observatoire local de l'emploi dans l'ESS",
                body: "Un tableau de bord annuel partagé avec la commission territoriale.",
                accepted: true,
            },
            Proposal {
                partner: 1,
                title: "Salon annuel des acteurs de l'ESS",
                body: "Un salon à Saint-Omer chaque automne.",
                accepted: false,
            },
        ],
    },
    Territory {
        code: "LEN",
        portrait: "Le bassin minier porte de nombreuses structures d'insertion et un réseau \
                   de ressourceries ; un portrait co-construit avec les acteurs du territoire \
                   (données de démonstration).",
        orientation: "Développer l'insertion par l'activité économique",
        actions: [
            "Ressourcerie dans une friche du bassin minier",
            "Parcours d'insertion vers les métiers du soin",
        ],
        consultation: ("2024-03-11", "2024-04-12"),
        received: 1_710_151_200,
        contributions: LEN_CONTRIBUTIONS,
        proposals: &[Proposal {
            partner: 1,
            title: "Fonds de garantie pour les chantiers d'insertion",
            body: "Un fonds porté avec France Active pour sécuriser la trésorerie.",
            accepted: true,
        }],
    },
];

/// The CDESS's proposals for the département's plan.
pub const CDESS: [Cdess; 2] = [
    (
        "2024-06-12",
        "Un fonds départemental d'amorçage pour les jeunes structures de l'ESS",
        "Le CDESS propose un fonds d'amorçage de 200 000 € par an pour les structures de \
         moins de trois ans (données de démonstration).",
    ),
    (
        "2024-06-12",
        "Une clause sociale dans les marchés publics du Département",
        "Le CDESS propose de réserver une part des marchés du Département aux structures \
         d'insertion (données de démonstration).",
    ),
];

/// What one of the registry's organisations declared about itself from its card.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    /// The territory its establishment is in.
    pub territory: &'static str,
    /// Its family (`association`, `cooperative`…) and NAF code: what it declares
    /// matches what the registry says it does.
    pub family: &'static str,
    pub naf: &'static str,
    /// Which of the territory's placed public establishments of that family and
    /// activity, biggest estimated workforce first (ties by SIRET): a rank, so that
    /// the choice is the same at every start.
    pub rank: usize,
    /// Markdown.
    pub description: &'static str,
    pub website: &'static str,
    pub esus: bool,
    pub labels: &'static [&'static str],
    pub networks: &'static [&'static str],
    pub activities: &'static [&'static str],
    /// The person's role, kept only while the declaration awaits moderation (the
    /// retention period has anonymised the others, as it would have).
    pub role: &'static str,
    /// `acceptee`, `refusee` or `en_attente`.
    pub status: &'static str,
    pub reason: Option<&'static str>,
    /// When it came, Unix seconds (10 h UTC); moderated a week later.
    pub received: i64,
}

/// The invented person (name, e-mail) behind the declaration still awaiting
/// moderation; the others were anonymised.
pub const PENDING_DECLARANT: (&str, &str) = (
    "Camille Exemple (démonstration)",
    "camille.exemple@demonstration.example",
);

/// The organisations' declarations of the demonstration: two accepted, one awaiting
/// moderation, one declined.
pub const DECLARATIONS: [Declaration; 4] = [
    Declaration {
        territory: "AUD",
        family: "societe_commerciale_ess",
        naf: "38.32Z",
        rank: 0,
        description: "Recyclerie solidaire : collecte, tri et revente d'objets de seconde \
                      main, atelier de réparation de vélos ouvert à tous les habitants de \
                      l'Audomarois, chantiers d'insertion (données de démonstration).",
        website: "https://recyclerie-audomarois.example",
        esus: true,
        labels: &["Label réemploi (démonstration)"],
        networks: &["Réseau des ressourceries (démonstration)"],
        activities: &["Réemploi", "Réparation de vélos", "Insertion"],
        role: "",
        status: "acceptee",
        reason: None,
        received: 1_715_594_400, // 2024-05-13
    },
    Declaration {
        territory: "LEN",
        family: "cooperative",
        naf: "71.12B",
        rank: 0,
        description: "Scop de bureau d'études : conception de bâtiments économes en \
                      énergie et rénovation des cités minières ; les salariés sont \
                      associés (données de démonstration).",
        website: "https://scop-bureau-etudes-lens.example",
        esus: false,
        labels: &[],
        networks: &["Union régionale des Scop (démonstration)"],
        activities: &["Études thermiques", "Rénovation énergétique"],
        role: "",
        status: "acceptee",
        reason: None,
        received: 1_726_480_800, // 2024-09-16
    },
    Declaration {
        territory: "AUD",
        family: "association",
        naf: "70.22Z",
        rank: 0,
        description: "Boutique de gestion : accompagnement des créateurs d'activité et \
                      couveuse d'entreprises de l'ESS (données de démonstration).",
        website: "https://boutique-gestion-audomarois.example",
        esus: false,
        labels: &[],
        networks: &["Réseau des boutiques de gestion (démonstration)"],
        activities: &["Accompagnement à la création d'activité"],
        role: "chargée d'accompagnement",
        status: "en_attente",
        reason: None,
        received: 1_731_924_000, // 2024-11-18
    },
    Declaration {
        territory: "LEN",
        family: "association",
        naf: "93.29Z",
        rank: 0,
        description: "Achat et revente de véhicules d'occasion (données de démonstration).",
        website: "https://voitures-occasion.example",
        esus: false,
        labels: &[],
        networks: &[],
        activities: &["Commerce de véhicules"],
        role: "",
        status: "refusee",
        reason: Some(
            "La description ne correspond pas à l'activité de la structure (données de \
             démonstration).",
        ),
        received: 1_728_295_200, // 2024-10-07
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_declarations_are_labelled_and_cover_every_moderation() {
        for d in DECLARATIONS {
            assert!(d.description.contains("démonstration"), "{d:?}");
            assert!(
                d.website.starts_with("https://") && d.website.ends_with(".example"),
                "{d:?}: a website that leads nowhere"
            );
            assert_eq!(d.received % 86_400, 10 * 3600, "{d:?}: received at 10 h");
            assert_eq!(d.status == "refusee", d.reason.is_some(), "{d:?}");
            assert_eq!(d.status == "en_attente", !d.role.is_empty(), "{d:?}");
        }
        for status in ["acceptee", "en_attente", "refusee"] {
            assert!(DECLARATIONS.iter().any(|d| d.status == status), "{status}");
        }
        // Two declarations on one establishment would hide the older accepted one.
        for (i, a) in DECLARATIONS.iter().enumerate() {
            for b in &DECLARATIONS[i + 1..] {
                assert!(
                    (a.territory, a.family, a.naf, a.rank)
                        != (b.territory, b.family, b.naf, b.rank),
                    "{a:?} and {b:?} on one establishment"
                );
            }
        }
    }
}
