use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cims::cli::Cli::parse();
    cims::cli::run(
        cli,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}
