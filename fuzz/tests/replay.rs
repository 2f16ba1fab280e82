//! Replays the committed corpus and regression inputs of every fuzz target through the target's
//! function, with the stable toolchain: `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! `corpus/<target>/` must exist and hold at least one input; `regressions/<target>/` must exist
//! (a `.gitkeep` keeps it when it has no input yet). Files whose names start with `.` are skipped.
//! A failing input is reported by path, after every input of the target has been tried.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The inputs in `dir`, sorted; fails when `dir` is missing.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("{} cannot be read: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.is_file()
                && !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let corpus = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(
        !corpus.is_empty(),
        "corpus/{target}/ holds no input: seed it (see fuzz/README.md)"
    );
    let regressions = inputs(&fuzz_dir().join("regressions").join(target));

    // Quiet the default hook while inputs run: failures are collected and reported below.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(payload) = panic::catch_unwind(|| run(&data)) {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
                .to_owned();
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    panic::set_hook(hook);
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs fail:\n{}",
        failures.len(),
        corpus.len() + regressions.len(),
        failures.join("\n")
    );
    println!(
        "{target}: {} corpus and {} regression inputs replayed",
        corpus.len(),
        regressions.len()
    );
}

macro_rules! replay {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target), countersign_fuzz::$target);
            }
        )*

        /// The targets this file replays.
        const REPLAYED: &[&str] = &[$(stringify!($target)),*];
    };
}

replay!(
    token_response,
    callback,
    authorization_header,
    percent_decoding,
    round_trip,
    plaintext_differential,
    response_headers,
    verify,
    verify_signed,
    exchange,
    signature_methods,
    provider_profiles,
);

/// Every fuzz target (a file in `fuzz_targets/`, a `[[bin]]`, an entry of `TARGETS`) is replayed
/// here, and every corpus or regression directory belongs to a target.
#[test]
fn every_target_is_replayed() {
    let mut replayed: Vec<&str> = REPLAYED.to_vec();
    replayed.sort_unstable();

    let mut listed: Vec<&str> = countersign_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
    listed.sort_unstable();
    assert_eq!(
        listed, replayed,
        "TARGETS in src/lib.rs and replay! here differ"
    );

    let names_in = |dir: &str, strip: &str| {
        let mut names: Vec<String> = fs::read_dir(fuzz_dir().join(dir))
            .unwrap_or_else(|e| panic!("{dir}/ cannot be read: {e}"))
            .map(|entry| entry.expect("a directory entry").file_name())
            .filter_map(|name| name.to_str()?.strip_suffix(strip).map(str::to_owned))
            .filter(|name| !name.starts_with('.'))
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(names_in("fuzz_targets", ".rs"), replayed, "fuzz_targets/");
    assert_eq!(names_in("corpus", ""), replayed, "corpus/");
    assert_eq!(names_in("regressions", ""), replayed, "regressions/");

    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("Cargo.toml");
    for target in replayed {
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{target}.rs\"")),
            "Cargo.toml has no [[bin]] for {target}"
        );
    }
}
