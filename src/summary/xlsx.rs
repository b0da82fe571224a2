//! The summary as an XLSX workbook (`rust_xlsxwriter`): one sheet per table,
//! numbers stored as numbers with a display format, frozen headers, a masked figure
//! as the text « s », and a sheet of sources, methods and notes.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::format::{MISSING, SECRET};
use super::{Cell, Result, Summary, SummaryError, Table};

fn number_format(cell: &Cell) -> String {
    let base = if cell.decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(usize::from(cell.decimals.min(2))))
    };
    match cell.unit {
        "%" => format!("{base}\" %\""),
        "€" => "#,##0\" €\"".to_owned(),
        _ => base,
    }
}

struct Styles {
    title: Format,
    header: Format,
    label: Format,
    secret: Format,
    note: Format,
}

impl Styles {
    fn new() -> Self {
        Self {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color("#1F4E79")
                .set_font_color("#FFFFFF")
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            label: Format::new().set_text_wrap(),
            secret: Format::new()
                .set_align(FormatAlign::Right)
                .set_italic()
                .set_font_color("#7F7F7F"),
            note: Format::new().set_text_wrap().set_font_color("#404040"),
        }
    }
}

/// Writes `table` on its own sheet: title, header line (frozen), one line per row.
fn table_sheet(
    sheet: &mut Worksheet,
    summary: &Summary,
    table: &Table,
    styles: &Styles,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{} – {} (édition {})",
            table.title, summary.name, summary.edition
        ),
        &styles.title,
    )?;
    sheet.write_string_with_format(1, 0, "", &styles.header)?;
    for (c, name) in table.columns.iter().enumerate() {
        let col = c as u16 + 1;
        sheet.write_string_with_format(1, col, name, &styles.header)?;
        sheet.set_column_width(col, 18)?;
    }
    sheet.set_column_width(0, 48)?;
    sheet.set_row_height(1, 45)?;
    for (r, row) in table.rows.iter().enumerate() {
        let line = r as u32 + 2;
        let label = if row.unit.is_empty() {
            row.label.clone()
        } else {
            format!("{} ({})", row.label, row.unit)
        };
        sheet.write_string_with_format(line, 0, label, &styles.label)?;
        for (c, cell) in row.cells.iter().enumerate() {
            let col = c as u16 + 1;
            match (cell.secret, cell.value) {
                (true, _) => sheet.write_string_with_format(line, col, SECRET, &styles.secret)?,
                (false, Some(v)) => sheet.write_number_with_format(
                    line,
                    col,
                    v,
                    &Format::new().set_num_format(number_format(cell)),
                )?,
                (false, None) => {
                    sheet.write_string_with_format(line, col, MISSING, &styles.secret)?
                }
            };
        }
    }
    sheet.set_freeze_panes(2, 1)?;
    Ok(())
}

/// The beneficiaries of the Département's subsidies in the zone, one line each.
fn grants_sheet(
    sheet: &mut Worksheet,
    summary: &Summary,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let g = &summary.grants;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "Subventions du Département à l'ESS – {} (édition {})",
            summary.name, summary.edition
        ),
        &styles.title,
    )?;
    let headers = [
        "Bénéficiaire",
        "Commune",
        "Famille",
        "Objet",
        "Lignes",
        "Montant (€)",
    ];
    for (c, (name, width)) in headers.iter().zip([44, 24, 22, 60, 8, 16]).enumerate() {
        let col = c as u16;
        sheet.write_string_with_format(1, col, *name, &styles.header)?;
        sheet.set_column_width(col, width)?;
    }
    let euros = Format::new().set_num_format("#,##0.00\" €\"");
    let mut line = 2;
    if !summary.subsidies_available {
        sheet.write_string_with_format(
            line,
            0,
            "Pas encore publiées pour cette édition.",
            &styles.note,
        )?;
    }
    for b in &g.beneficiaries {
        sheet.write_string_with_format(line, 0, &b.name, &styles.label)?;
        sheet.write_string(line, 1, &b.commune)?;
        sheet.write_string(line, 2, &b.family)?;
        sheet.write_string_with_format(line, 3, &b.objects, &styles.note)?;
        sheet.write_number(line, 4, b.lines as f64)?;
        sheet.write_number_with_format(line, 5, b.granted, &euros)?;
        line += 1;
    }
    if g.others > 0 {
        sheet.write_string(line, 0, format!("Autres bénéficiaires ({})", g.others))?;
        sheet.write_number_with_format(line, 5, g.others_value, &euros)?;
        line += 1;
    }
    if summary.subsidies_available {
        let bold = Format::new().set_bold();
        sheet.write_string_with_format(line, 0, "Total ESS de la zone", &bold)?;
        sheet.write_number_with_format(line, 5, g.total_value, &euros.clone().set_bold())?;
    }
    sheet.set_freeze_panes(2, 1)?;
    Ok(())
}

/// The « Co-construction » sheet: the paragraph, then one line per consultation,
/// contributing organisation and partner.
fn coconstruction_sheet(
    sheet: &mut Worksheet,
    summary: &Summary,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let c = &summary.coconstruction;
    sheet.set_name("Co-construction")?;
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 110)?;
    sheet.write_string_with_format(0, 0, "Co-construction du portrait", &styles.title)?;
    sheet.write_string_with_format(1, 0, c.text.as_str(), &styles.note)?;
    let rows = c
        .consultations
        .iter()
        .map(|l| ("Consultation publique", l.text.as_str()))
        .chain(
            c.organisations
                .iter()
                .map(|o| ("Organisation contributrice", o.text.as_str())),
        )
        .chain(
            c.partners
                .iter()
                .map(|p| ("Proposition de partenaire retenue", p.text.as_str())),
        );
    for (line, (label, text)) in (3..).zip(rows) {
        sheet.write_string_with_format(line, 0, label, &styles.label)?;
        sheet.write_string_with_format(line, 1, text, &styles.note)?;
    }
    Ok(())
}

fn build(summary: &Summary) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let tables: Vec<(&str, &Table)> = [
        ("Chiffres clés", &summary.key_figures),
        ("Familles", &summary.breakdowns[0]),
        ("Secteurs", &summary.breakdowns[1]),
        ("Tailles", &summary.breakdowns[2]),
        ("Évolution", &summary.evolution),
        (
            if summary.parts.id == "epci" {
                "EPCI"
            } else {
                "Communes"
            },
            &summary.parts,
        ),
    ]
    .into_iter()
    .collect();
    for (name, table) in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        table_sheet(sheet, summary, table, &styles)?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("Subventions")?;
    grants_sheet(sheet, summary, &styles)?;
    coconstruction_sheet(workbook.add_worksheet(), summary, &styles)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sources et méthodes")?;
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 110)?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{} – {} – édition {} (établissements actifs au {})",
            summary.kind_label, summary.name, summary.edition, summary.reference_date
        ),
        &styles.title,
    )?;
    sheet.write_string(1, 0, "Source")?;
    sheet.write_string_with_format(1, 1, summary.source_label, &styles.note)?;
    let mut line = 3;
    for note in &summary.notes {
        sheet.write_string(line, 0, "Note")?;
        sheet.write_string_with_format(line, 1, *note, &styles.note)?;
        line += 1;
    }
    line += 1;
    for m in &summary.methods {
        sheet.write_string_with_format(line, 0, m.label, &styles.label)?;
        sheet.write_string_with_format(
            line,
            1,
            format!("{} {} Source : {}", m.definition, m.method, m.source),
            &styles.note,
        )?;
        line += 1;
    }
    workbook.save_to_buffer()
}

/// Writes `summary` as XLSX bytes.
pub fn render(summary: &Summary) -> Result<Vec<u8>> {
    build(summary).map_err(|e| SummaryError::Render {
        format: "XLSX",
        message: e.to_string(),
    })
}
