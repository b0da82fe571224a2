//! `ess-atlas edition …` (list, create, delete, report) and `ess-atlas demo` (write
//! the demonstration files).

use super::{DemoArgs, EditionCommand, GlobalArgs};
use crate::db::Db;

pub(super) async fn edition(global: &GlobalArgs, command: EditionCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    match command {
        EditionCommand::List => {
            let editions = db.editions().await?;
            if editions.is_empty() {
                println!("no edition");
            }
            for e in editions {
                let count = db.establishment_count(e.year).await?;
                println!(
                    "{}\treference {}\t{} ESS establishments\trule {}\t{}{}",
                    e.year,
                    e.reference_date,
                    count,
                    e.perimeter_rule_version,
                    e.sources,
                    if e.demo {
                        "\t(données de démonstration)"
                    } else {
                        ""
                    }
                );
            }
        }
        EditionCommand::Create {
            year,
            reference_date,
            sources,
        } => {
            anyhow::ensure!(
                crate::time::is_iso_date(&reference_date),
                "reference date {reference_date:?} is not a date AAAA-MM-JJ"
            );
            anyhow::ensure!(
                db.create_edition(year, &reference_date, &sources).await?,
                "edition {year} exists already"
            );
            println!("edition {year} created");
        }
        EditionCommand::Delete { year } => {
            anyhow::ensure!(db.delete_edition(year).await?, "no edition {year}");
            println!("edition {year} deleted");
        }
        EditionCommand::Report { year } => {
            anyhow::ensure!(db.edition(year).await?.is_some(), "no edition {year}");
            println!(
                "{}",
                serde_json::to_string_pretty(&db.import_reports(year).await?)?
            );
        }
    }
    Ok(())
}

pub(super) async fn demo(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let geography = crate::operations::load_geography(&db, &global.geodata).await?;
    let out = args.out.clone();
    let (seed, scale) = (args.seed, args.scale);
    let files =
        tokio::task::spawn_blocking(move || crate::demo::write_demo(&geography, seed, scale, &out))
            .await??;
    for f in files {
        println!(
            "{}: {} and {}",
            f.year,
            f.unites_legales.display(),
            f.etablissements.display()
        );
    }
    Ok(())
}
