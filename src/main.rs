use clap::Parser;

#[tokio::main]
async fn main() {
    lianxin::commands::restore_default_sigpipe();
    lianxin::commands::init_tracing();
    lianxin::commands::private_files();
    let cli = lianxin::cli::Cli::parse();
    let config = match lianxin::config::Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("lianxin: 配置有误：{err}");
            std::process::exit(1);
        }
    };
    if let Err(err) = lianxin::commands::run(cli, config).await {
        eprintln!("lianxin: {err}");
        std::process::exit(1);
    }
}
