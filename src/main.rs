//! The `ess-atlas` binary: parse the command line, start logging, run.

use clap::Parser;

// mimalloc rather than glibc's malloc: a cached tile costs a handful of small
// allocations (routing, headers), and glibc's spent ~10 % of a loaded server in
// malloc/free/consolidate (perf, `benches/tiles.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    ess_atlas::telemetry::init(std::io::stderr);
    let cli = ess_atlas::cli::Cli::parse();
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Causes joined as French punctuation has it (anyhow's `{:#}` writes ": ").
            let causes: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("erreur : {}", causes.join(" : "));
            // Scripts tell a damaged file (3) from an implausible one (4): README.
            std::process::ExitCode::from(ess_atlas::import::plausibility::exit_code(&e))
        }
    }
}
