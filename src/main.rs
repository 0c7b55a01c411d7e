use corpus_review::cli::Cli;

// Loading allocates millions of small strings from several threads at once; mimalloc
// handles that pattern markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
