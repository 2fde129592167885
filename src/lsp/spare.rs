//! The two large buffers a keystroke needs, kept from one keystroke to the
//! next instead of allocated afresh: the text of the new version (copied
//! out of the rope for the analysis) and the body of its diagnostics
//! notification. On a 2 MB document they are 2 MB and 1.5 MB. The server's
//! allocator gives freed memory back to the system at once (`serve` in
//! `main.rs`), so a buffer allocated per keystroke would be faulted in
//! again each time: 3.5 MB of page faults took the keystroke from 1.2 ms
//! to 3 ms (`python3 benches/server.py keystroke`).
//!
//! One of each is kept, whichever document it came from; buffers under
//! [`SMALL`] are left to the allocator.

use std::sync::Mutex;

/// Buffers smaller than this are not kept: the allocator serves them from
/// pages it keeps anyway.
const SMALL: usize = 64 * 1024;

static TEXT: Mutex<Option<String>> = Mutex::new(None);
static BODY: Mutex<Option<Vec<u8>>> = Mutex::new(None);

/// An empty string with room for `len` bytes: the kept one when it is
/// large enough and not more than twice too large, else a new one with
/// room to grow by a thirty-second (typing makes each version a little
/// longer than the one whose string comes back).
pub fn text(len: usize) -> String {
    let kept = lock(&TEXT).take_if(|s| fits(s.capacity(), len));
    match kept {
        Some(mut s) => {
            s.clear();
            s
        }
        None => String::with_capacity(len + len / 32),
    }
}

/// Keeps `s` for the next [`text`] (replacing the one kept), when it is
/// large enough to be worth it.
pub fn give_text(s: String) {
    if s.capacity() >= SMALL {
        *lock(&TEXT) = Some(s);
    }
}

/// An empty buffer for a notification's body: the kept one, or a new one
/// with room for `hint` bytes.
pub fn body(hint: usize) -> Vec<u8> {
    match lock(&BODY).take() {
        Some(mut b) => {
            b.clear();
            b
        }
        None => Vec::with_capacity(hint),
    }
}

/// Keeps a written body for the next [`body`], when it is large enough to
/// be worth it.
pub fn give_body(b: Vec<u8>) {
    if b.capacity() >= SMALL {
        *lock(&BODY) = Some(b);
    }
}

/// Whether a buffer of `capacity` bytes should hold `len`: large enough,
/// and not holding more than twice the memory needed.
fn fits(capacity: usize, len: usize) -> bool {
    capacity >= len && capacity <= len.saturating_mul(2).max(SMALL)
}

/// A kept buffer is whole even if a thread panicked holding the lock.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statics are shared by every test in the process, so one test
    /// goes through all the cases in order.
    #[test]
    fn buffers_are_kept_and_handed_back_only_when_they_fit() {
        // A text kept, then taken for a length it fits: the same memory,
        // empty.
        let mut s = String::with_capacity(100_000);
        s.push_str("Site: left cheek");
        let at = s.as_ptr();
        give_text(s);
        let t = text(90_000);
        assert_eq!((t.as_ptr(), t.len(), t.capacity() >= 90_000), (at, 0, true));

        // Too small for the length asked: a new one, and the kept one stays.
        give_text(t);
        let bigger = text(150_000);
        assert_ne!(bigger.as_ptr(), at);
        assert!(bigger.capacity() >= 150_000);
        // More than twice too large for a small note: not handed out.
        let small = text(1_000);
        assert_ne!(small.as_ptr(), at);
        let again = text(100_000);
        assert_eq!(again.as_ptr(), at);
        drop(again);

        // A small buffer is not kept at all.
        give_text(String::with_capacity(1_000));
        assert!(lock(&TEXT).is_none());

        // Bodies: any kept one is handed out, emptied; small ones are not
        // kept.
        let mut b = Vec::with_capacity(SMALL);
        b.extend_from_slice(b"{\"jsonrpc\":\"2.0\"}");
        let at = b.as_ptr();
        give_body(b);
        let b = body(10);
        assert_eq!((b.as_ptr(), b.len()), (at, 0));
        give_body(Vec::with_capacity(100));
        assert!(lock(&BODY).is_none());
        assert_eq!(body(10).capacity(), 10);
    }
}
