use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = kxc::cli::Cli::parse();
    match kxc::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
