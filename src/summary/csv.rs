//! The summary as CSV: one line per figure (table, row, column, value, unit), so
//! that a spreadsheet can filter and pivot it. French Excel by default (`;`, BOM,
//! decimal comma); `standard` is `,` and a decimal point. A masked figure reads « s ».

use super::format::{SECRET, excel_number};
use super::{Result, Summary, SummaryError, Table};

/// The two CSV dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `;`, UTF-8 BOM, decimal comma: what French Excel opens as is.
    FrenchExcel,
    /// `,`, no BOM, decimal point.
    Standard,
}

fn number(dialect: Dialect, v: f64, decimals: u8) -> String {
    match dialect {
        Dialect::FrenchExcel => excel_number(v, decimals),
        Dialect::Standard => format!("{:.*}", usize::from(decimals), v),
    }
}

/// Writes `summary` as CSV bytes.
pub fn render(summary: &Summary, dialect: Dialect) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64 * 1024);
    if dialect == Dialect::FrenchExcel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(match dialect {
            Dialect::FrenchExcel => b';',
            Dialect::Standard => b',',
        })
        .from_writer(out);
    let error = |e: csv::Error| SummaryError::Render {
        format: "CSV",
        message: e.to_string(),
    };
    w.write_record([
        "code", "zone", "édition", "tableau", "ligne", "colonne", "valeur", "unité", "secret",
    ])
    .map_err(error)?;
    let edition = summary.edition.to_string();
    let tables: Vec<&Table> = std::iter::once(&summary.key_figures)
        .chain(&summary.breakdowns)
        .chain([&summary.evolution, &summary.parts])
        .collect();
    for table in tables {
        for row in &table.rows {
            for (column, cell) in table.columns.iter().zip(&row.cells) {
                let value = if cell.secret {
                    SECRET.to_owned()
                } else {
                    cell.value
                        .map(|v| number(dialect, v, cell.decimals))
                        .unwrap_or_default()
                };
                w.write_record([
                    summary.code.as_str(),
                    &summary.name,
                    &edition,
                    &table.title,
                    &row.label,
                    column,
                    &value,
                    cell.unit,
                    if cell.secret { "oui" } else { "non" },
                ])
                .map_err(error)?;
            }
        }
    }
    // The Département's subsidies by beneficiary (public data: never « s »).
    let g = &summary.grants;
    let title = "Subventions du Département à l'ESS";
    let listed = g
        .beneficiaries
        .iter()
        .map(|b| (format!("{} ({})", b.name, b.commune), b.granted));
    let others = (g.others > 0).then(|| {
        (
            format!("Autres bénéficiaires ({})", g.others),
            g.others_value,
        )
    });
    let total = summary
        .subsidies_available
        .then(|| ("Total ESS de la zone".to_owned(), g.total_value));
    for (label, amount) in listed.chain(others).chain(total) {
        w.write_record([
            summary.code.as_str(),
            &summary.name,
            &edition,
            title,
            &label,
            "Montant attribué",
            &number(dialect, amount, 2),
            "€",
            "non",
        ])
        .map_err(error)?;
    }
    w.into_inner().map_err(|e| SummaryError::Render {
        format: "CSV",
        message: e.to_string(),
    })
}
