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
