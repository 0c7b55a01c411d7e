use corpus_review::cli::Cli;

// jemalloc, not glibc's malloc: loading takes about 8% less time (glibc grew its
// per-thread arenas with tens of thousands of mprotect calls), for about 6% more memory.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
