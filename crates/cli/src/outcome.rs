//! How a command ends: diagnostics on stderr and the documented exit codes.

use std::io::Write;
use std::process::ExitCode;

use echotrace_model::Diagnostic;

/// Exit code when the command completed but some inputs produced diagnostics.
pub const DIAGNOSTICS: u8 = 3;

/// Prints each diagnostic on its own line on stderr.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{d}");
    }
}

/// Success, or [`DIAGNOSTICS`] when there were any.
pub fn finish(diags: &[Diagnostic]) -> ExitCode {
    if diags.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(DIAGNOSTICS)
    }
}
