use clap::Parser;

/// mimalloc instead of glibc's malloc: a profile of the list query under load spent about a
/// fifth of its samples in glibc `malloc`/`free` (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
