//! Log output on stderr: silent by default, each stage's time with `-v`, `RUST_LOG` over the
//! flags, and errors printed with their causes whatever the level.

use std::process::Command;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

/// Runs `echotrace` with `args` and `RUST_LOG` as given; returns the exit code and stderr.
fn run(args: &[&str], rust_log: Option<&str>) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_echotrace"));
    cmd.args(args).env_remove("RUST_LOG");
    if let Some(v) = rust_log {
        cmd.env("RUST_LOG", v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stages_are_logged_with_verbose_only() {
    let seeds = seeds();
    let analyze_seeds = ["analyze", seeds.as_str()];
    let (code, quiet) = run(&analyze_seeds, None);
    assert_eq!(code, Some(0));
    assert!(!quiet.contains("stage done"), "{quiet}");
    let verbose: Vec<&str> = ["-v"].into_iter().chain(analyze_seeds).collect();
    let (code, log) = run(&verbose, None);
    assert_eq!(code, Some(0));
    assert!(
        log.contains("stage done") && log.contains("claims"),
        "{log}"
    );
    // No colour codes when stderr is not a terminal.
    assert!(!log.contains('\u{1b}'), "{log}");
    // RUST_LOG wins over the flags.
    let quiet_flag: Vec<&str> = ["-q"].into_iter().chain(analyze_seeds).collect();
    let (_, log) = run(&quiet_flag, Some("echotrace_pipeline=info"));
    assert!(log.contains("stage done"), "{log}");
}

#[test]
fn errors_name_their_cause_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("aliases.tsv");
    std::fs::write(&bad, "no tab on this line\n").unwrap();
    let (code, err) = run(
        &[
            "-q",
            "analyze",
            &seeds(),
            "--aliases",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, Some(1));
    // The context (which file) and the cause (which line) in one message.
    assert!(
        err.contains("alias table") && err.contains("aliases.tsv") && err.contains("line 1"),
        "{err}"
    );
}
