//! The `ess-atlas` binary: parse the command line, start logging, run.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    ess_atlas::telemetry::init(std::io::stderr);
    let cli = ess_atlas::cli::Cli::parse();
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
