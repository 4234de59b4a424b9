//! Helpers for unit tests: evidence from command-line arguments, as the binary would build it.

use clap::{CommandFactory, FromArgMatches};

use crate::{
    cli::{Cli, Command},
    evidence::{self, Evidence},
    inputs::Inputs,
};

/// Evidence for `sfjwt doctor <args>` (flag-value pairs; a later flag replaces an earlier one),
/// with the clock pinned to `NOW`.
pub fn evidence(args: &[&str]) -> Evidence {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for pair in args.chunks(2) {
        match pairs.iter_mut().find(|(flag, _)| *flag == pair[0]) {
            Some(existing) => existing.1 = pair[1],
            None => pairs.push((pair[0], pair[1])),
        }
    }
    let argv = ["sfjwt", "doctor", "--offline"].into_iter().chain(pairs.into_iter().flat_map(|(f, v)| [f, v]));
    let matches = Cli::command().try_get_matches_from(argv).expect("valid test arguments");
    let cli = Cli::from_arg_matches(&matches).expect("valid test arguments");
    let Command::Doctor(doctor) = cli.command else { unreachable!() };
    let matches = matches.subcommand_matches("doctor").unwrap();
    let sf = crate::sf_inputs::empty_context();
    let mut inputs = Inputs::resolve_in(&doctor, matches, &sf).expect("inputs resolve");
    inputs.now = NOW;
    evidence::gather(inputs).expect("evidence gathers")
}

/// 2027-01-01 00:00:00 UTC, as in fixtures/assertions/generate.sh.
pub const NOW: i64 = 1_798_761_600;
