use clap::Parser;

#[tokio::main]
async fn main() {
    lianxin::commands::restore_default_sigpipe();
    lianxin::commands::init_tracing();
    let cli = lianxin::cli::Cli::parse();
    if let Err(err) = lianxin::commands::run(cli, lianxin::config::Config::from_env()).await {
        eprintln!("lianxin: {err}");
        std::process::exit(1);
    }
}
