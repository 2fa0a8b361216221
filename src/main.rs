//! The `juece` command line (see `juece::cli`).

use std::process::ExitCode;

// glibc's allocator spent a quarter of a loaded server's time in malloc/free across worker
// threads; mimalloc keeps per-thread heaps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    juece::cli::main()
}
