use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cims::cli::Cli::parse();
    // Not locked for the whole run: the server logs to stderr from its worker threads.
    cims::cli::run(cli, &mut std::io::stdout(), &mut std::io::stderr())
}
