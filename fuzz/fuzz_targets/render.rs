//! Arbitrary bytes as a topology file: load → validate → plan → render with the embedded
//! templates. A panic, a case that takes more than a second of CPU, or generated output that
//! lets a topology value out of its PowerShell or Markdown literal (see the oracle in
//! `src/lib.rs`) is a failure.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static SETUP: OnceLock<abc_failover_fuzz::Setup> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let setup = SETUP.get_or_init(abc_failover_fuzz::Setup::new);
    if let Err(e) = abc_failover_fuzz::run_timed(data, setup) {
        panic!("oracle: {e}");
    }
});
