//! The embedded tables load into the expected calibration; malformed ones are refused
//! with their file and line.

use super::*;

#[test]
fn the_embedded_tables_parse_into_the_calibration() {
    let c = calibration();
    assert_eq!(c.profiles.len(), 53);
    assert_eq!(c.profiles[0].id, "aide_domicile");
    assert_eq!(c.profiles[52].id, "institutions_prevoyance");
    let codes: Vec<&str> = c.bands.iter().map(|b| b.code).collect();
    assert_eq!(
        codes,
        [
            "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51"
        ]
    );
    assert_eq!(
        c.bands[3],
        Band {
            code: "11",
            min: 10.0,
            max: 19.0
        }
    );
    let sport = c.profiles.iter().find(|p| p.id == "sport").unwrap();
    assert_eq!(sport.employers, [370, 95, 28, 5, 3, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(sport.non_employers, 2900);
    assert_eq!(sport.activities[0].stems.len(), 10);
    assert_eq!(
        sport.qualifiers.as_deref(),
        Some(&[(Qualifier::Commune, 1)][..])
    );
    let culture = c.profiles.iter().find(|p| p.id == "culture").unwrap();
    assert_eq!(
        culture.activities[0].stems[3], "COMPAGNIE \"LES TRETEAUX\"",
        "quotes survive the CSV"
    );
    assert!(
        c.profiles[39].qualifiers.is_none(),
        "individual entrepreneurs"
    );
    assert!((c.public.trend - 0.003).abs() < 1e-12);
}

#[test]
fn band_of_follows_the_reference_bounds() {
    for (headcount, band) in [
        (0.0, "00"),
        (0.99, "00"),
        (1.0, "01"),
        (2.99, "01"),
        (3.0, "02"),
        (19.5, "11"),
        (4999.9, "51"),
        (5000.0, "52"),
        (9999.9, "52"),
        (10_000.0, "53"),
        (1e9, "53"),
    ] {
        assert_eq!(band_of(headcount), band, "{headcount}");
    }
}

/// Which table of [`Tables`] a case breaks.
type Pick = for<'a, 'b> fn(&'b mut Tables<'a>) -> &'b mut &'a str;

/// The error for the embedded tables with `from` replaced by `to` in one of them
/// (`None` if they still parse).
fn broken(pick: Pick, from: &str, to: &str) -> Option<String> {
    let mut tables = EMBEDDED;
    let text = *pick(&mut tables);
    assert!(text.contains(from), "{from:?} is in the table");
    let changed = text.replacen(from, to, 1);
    *pick(&mut tables) = &changed;
    parse(&tables).err().map(|e| e.to_string())
}

#[test]
fn a_malformed_table_is_refused_with_its_file_and_line() {
    let cases: [(Pick, &str, &str, &str); 14] = [
        (
            |t| &mut t.counts,
            "sport,2900,370",
            "sport,2900,37O",
            "counts.csv, line",
        ),
        (
            |t| &mut t.counts,
            "sport,2900,370,",
            "sport,2900,",
            "counts.csv, line",
        ),
        (
            |t| &mut t.counts,
            "sport,",
            "sports,",
            "unknown profile \"sports\"",
        ),
        (
            |t| &mut t.counts,
            "sport,2900",
            "#",
            "profile sport has no counts",
        ),
        (
            |t| &mut t.counts,
            ",11,12,",
            ",11,13,",
            "\"13\" is not a band",
        ),
        (
            |t| &mut t.counts,
            ",11,12,",
            ",12,11,",
            "band 11 is out of order",
        ),
        (
            |t| &mut t.counts,
            "non_employers,01",
            "non_employers,NN",
            "band NN has no",
        ),
        (
            |t| &mut t.profiles,
            "9220:90",
            "9220:x",
            "weight \"x\" of 9220",
        ),
        (
            |t| &mut t.profiles,
            "9220:90",
            "9922:90",
            "unknown catégorie",
        ),
        (
            |t| &mut t.profiles,
            ",territory,",
            ",county,",
            "qualifier set \"county\"",
        ),
        (
            |t| &mut t.profiles,
            ",population,",
            ",crowd,",
            "profiles.csv, line",
        ),
        (|t| &mut t.activities, "88.10A,1", "88.10A,0", "at least 1"),
        (
            |t| &mut t.activities,
            "88.10A,",
            "00.10A,",
            "not a known NAF code",
        ),
        (|t| &mut t.lives, "public,", "publics,", "no `public` row"),
    ];
    for (pick, from, to, expected) in cases {
        let message = broken(pick, from, to);
        assert!(
            message.as_deref().is_some_and(|m| m.contains(expected)),
            "{from:?} → {to:?}: {message:?} should say {expected:?}"
        );
    }
}

#[test]
fn the_line_of_a_defect_counts_the_comment_lines() {
    let line_of = |text: &str, start: &str| {
        text.lines()
            .position(|l| l.starts_with(start))
            .expect("the row exists")
            + 1
    };
    let message = broken(|t| &mut t.multi, "esat,0.2", "esat,1.2").unwrap_or_default();
    let line = line_of(EMBEDDED.multi, "esat,");
    assert!(
        message.contains(&format!("multi.csv, line {line}: share 1.2")),
        "{message}"
    );
    let message = broken(|t| &mut t.counts, ",11,12,", ",11,13,").unwrap_or_default();
    let line = line_of(EMBEDDED.counts, "profile,");
    assert!(
        message.contains(&format!("counts.csv, line {line}: \"13\"")),
        "{message}"
    );
}
