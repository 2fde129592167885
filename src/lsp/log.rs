//! Logging to stderr (stdout carries the protocol), at the level `DERMLS_LOG`
//! names: `error`, `warn`, `info` (the default), `debug` or `trace`.
//!
//! Never log note text, at any level: log documents by a hash of their URI
//! (`doc`; a file name may hold a patient's name), versions, sizes, counts,
//! codes and method names only. No `tracing` subscriber is installed, on
//! purpose: tower-lsp-server logs whole message bodies (note text included)
//! through `tracing` at trace level, and without a subscriber those events
//! go nowhere.
//!
//! A panic's payload can hold text (a failed slice prints the string), so the
//! panic hook logs where it happened and what the server was doing, never
//! the payload.

use std::cell::Cell;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            "trace" => Some(Level::Trace),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

/// Warnings and errors until `init_from_env` (the server binary) says otherwise.
static LEVEL: AtomicU8 = AtomicU8::new(Level::Warn as u8);

/// Sets the level from `DERMLS_LOG` (unset or unreadable: `info`).
pub fn init_from_env() {
    let level = std::env::var("DERMLS_LOG")
        .ok()
        .and_then(|v| Level::parse(&v))
        .unwrap_or(Level::Info);
    LEVEL.store(level as u8, Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// Writes one line to stderr, in one write so that lines from two threads
/// never interleave and a client reading the pipe gets whole lines. Use the
/// macros (`info!` …) instead.
pub fn write(level: Level, args: fmt::Arguments) {
    if enabled(level) {
        let line = format!("dermls {}: {args}\n", level.as_str());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// A document as the logs name it: a short hash of its URI, never the path,
/// whose file name may carry a patient's name (`smith-john.derm`).
pub fn doc(uri: &tower_lsp_server::lsp_types::Uri) -> impl fmt::Display {
    // FNV-1a, 32 bits: stable across runs, so one document's lines match.
    let hash = uri.as_str().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("doc#{hash:08x}")
}

macro_rules! error {
    ($($t:tt)*) => { $crate::lsp::log::write($crate::lsp::log::Level::Error, format_args!($($t)*)) };
}
macro_rules! warning {
    ($($t:tt)*) => { $crate::lsp::log::write($crate::lsp::log::Level::Warn, format_args!($($t)*)) };
}
macro_rules! info {
    ($($t:tt)*) => { $crate::lsp::log::write($crate::lsp::log::Level::Info, format_args!($($t)*)) };
}
macro_rules! debug {
    ($($t:tt)*) => { $crate::lsp::log::write($crate::lsp::log::Level::Debug, format_args!($($t)*)) };
}
macro_rules! trace {
    ($($t:tt)*) => { $crate::lsp::log::write($crate::lsp::log::Level::Trace, format_args!($($t)*)) };
}
pub(crate) use {debug, info, trace, warning};

thread_local! {
    static ACTIVITY: Cell<&'static str> = const { Cell::new("server") };
}

/// What this thread is doing, for the panic hook; restored on drop.
pub struct Activity(&'static str);

impl Activity {
    pub fn enter(what: &'static str) -> Activity {
        Activity(ACTIVITY.with(|a| a.replace(what)))
    }
}

impl Drop for Activity {
    fn drop(&mut self) {
        ACTIVITY.with(|a| a.set(self.0));
    }
}

/// Replaces the default panic hook (which prints the payload) with one that
/// logs the location and the activity only.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = ACTIVITY.with(Cell::get);
        match info.location() {
            Some(l) => error!(
                "panic during {what} at {}:{}:{} (message withheld: it may hold note text)",
                l.file(),
                l.line(),
                l.column()
            ),
            None => error!("panic during {what} (message withheld: it may hold note text)"),
        }
    }));
}

/// Runs `f`, turning a panic into `None` (logged once, by the hook).
pub fn guard<T>(what: &'static str, f: impl FnOnce() -> T) -> Option<T> {
    let _activity = Activity::enter(what);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse() {
        assert_eq!(Level::parse("TRACE"), Some(Level::Trace));
        assert_eq!(Level::parse(" warn "), Some(Level::Warn));
        assert_eq!(Level::parse("loud"), None);
        assert!(Level::Error < Level::Trace);
    }
}
