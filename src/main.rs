use corpus_review::cli::Cli;

fn main() {
    let cli = Cli::from_args();
    let code = match cli.run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("corpus-review: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
