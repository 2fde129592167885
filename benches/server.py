#!/usr/bin/env python3
"""The language server measured from outside, as an editor sees it: the
release binary (`dermls serve`) spoken to over stdio with hand-written
JSON-RPC framing (no packages needed).

    python3 benches/server.py startup     # spawn to the `initialize` response
    python3 benches/server.py keystroke   # didChange to publishDiagnostics
    python3 benches/server.py memory      # peak RSS holding 1,000 open notes
    python3 benches/server.py all         # the three (the default)

`keystroke` types into the middle of a 300-line note and of a 2 MB
generated document (`dermls corpus --seed 1`), one character per
`didChange`: ten letters, then ten backspaces, over and over. For each
keystroke it sends the change and times until the whole `publishDiagnostics`
message for that version has been read (the client's own JSON parsing is
left out), then prints p50 and p99, and the server's peak resident set
(`VmHWM` in `/proc/<pid>/status`) against the memory target, 50 MiB plus
three times the text it holds. `memory` opens 1,000 generated notes,
waits for the diagnostics of each, and reads the server's peak resident
set the same way. Build first: `cargo build --release`.
Environment: `KEYSTROKES` (default 1000), `NOTES` (default 1000),
`STARTS` (default 30), `DERMLS` (the binary, default target/release/dermls).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("DERMLS", os.path.join(ROOT, "target", "release", "dermls"))


class Server:
    """`dermls serve` as a child process, with framed JSON-RPC both ways."""

    def __init__(self):
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [BIN, "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self.out = self.proc.stdout.fileno()
        self.buf = bytearray()
        self.next_id = 1
        self.seen = {}

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def read_raw(self):
        """The next message's body, once all of it has arrived: the header
        is looked for in what has been read, then the body is read straight
        into a buffer of its length (no copies as it grows)."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self.fill()
        length = None
        for line in bytes(self.buf[:end]).split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        del self.buf[: end + 4]
        if len(self.buf) >= length:
            body = bytes(self.buf[:length])
            del self.buf[:length]
            return body
        body = bytearray(length)
        view = memoryview(body)
        got = len(self.buf)
        view[:got] = self.buf
        self.buf.clear()
        while got < length:
            n = os.readv(self.out, [view[got:]])
            if n == 0:
                raise EOFError("the server closed its output")
            got += n
        return body

    def fill(self):
        chunk = os.read(self.out, 1 << 16)
        if not chunk:
            raise EOFError("the server closed its output")
        self.buf += chunk

    def wait_response(self, i):
        while True:
            m = json.loads(self.read_raw())
            if m.get("id") == i and "method" not in m:
                return m
            if "method" in m and "id" in m:
                # A request from the server (configuration, registration).
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})

    def wait_diagnostics(self, uri, version):
        """Reads until the diagnostics of `uri` at `version`; returns the
        raw message. Only the message's ends are looked at (the server's
        JSON has its keys sorted: `params` ends with `uri` and `version`).
        Other documents' diagnostics read meanwhile are remembered."""
        tail = b'"uri":%s,"version":%d}}' % (json.dumps(uri).encode(), version)
        if tail in self.seen:
            return self.seen.pop(tail)
        while True:
            body = self.read_raw()
            if b"publishDiagnostics" in body[:80]:
                if body.endswith(tail):
                    return body
                at = body.rfind(b'"uri":')
                self.seen[bytes(body[at:])] = body
                continue
            if body.startswith(b'{"id"') or b'"id":' in body[:40]:
                m = json.loads(body)
                if "method" in m and "id" in m:
                    self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})

    def initialize(self):
        i = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            },
        )
        r = self.wait_response(i)
        self.notify("initialized", {})
        return r

    def open(self, uri, text):
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "dermnote", "version": 1, "text": text}},
        )

    def peak_rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])

    def stop(self):
        try:
            i = self.request("shutdown", None)
            self.wait_response(i)
            self.notify("exit", None)
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def corpus(seed, size):
    return subprocess.run(
        [BIN, "corpus", "--seed", str(seed), "--bytes", str(size)],
        check=True,
        capture_output=True,
    ).stdout.decode()


def note_of_lines(lines):
    """The smallest `--seed 1` corpus with at least `lines` lines (the note
    `cargo bench --bench keystroke` types into)."""
    size = lines * 25
    while True:
        text = corpus(1, size)
        if len(text.splitlines()) >= lines:
            return text
        size += 500


def percentile(xs, q):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * q)]


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def caret(text):
    """Line and UTF-16 column at the end of the first `Site:` line after the
    middle of the text."""
    middle = len(text) // 2
    at = text.find("\nSite:", middle) + 1
    line = text.count("\n", 0, at)
    end = text.find("\n", at)
    content = text[at:end].rstrip("\r")
    return line, utf16_len(content)


def startup():
    n = int(os.environ.get("STARTS", "30"))
    times = []
    for _ in range(n):
        s = Server()
        started = time.perf_counter()
        s.initialize()
        times.append((time.perf_counter() - started) * 1e3)
        s.stop()
    print(
        f"start-up to the initialize response ({n} starts): "
        f"p50 {percentile(times, 0.5):.2f} ms  p99 {percentile(times, 0.99):.2f} ms  "
        f"min {min(times):.2f} ms"
    )


def keystroke():
    n = int(os.environ.get("KEYSTROKES", "1000"))
    for name, text in [("300-line note", note_of_lines(300)), ("2 MB document", corpus(1, 2_000_000))]:
        s = Server()
        s.initialize()
        uri = "file:///bench/typed.derm"
        s.open(uri, text)
        first = s.wait_diagnostics(uri, 1)
        count = len(json.loads(first)["params"]["diagnostics"])
        line, column = caret(text)
        typed, erasing, version = 0, False, 1
        times = []
        for k in range(n + 20):
            c = column + typed
            if erasing:
                change = {"range": {"start": {"line": line, "character": c - 1}, "end": {"line": line, "character": c}}, "text": ""}
                typed -= 1
                erasing = typed > 0
            else:
                change = {"range": {"start": {"line": line, "character": c}, "end": {"line": line, "character": c}}, "text": "x"}
                typed += 1
                erasing = typed == 10
            version += 1
            started = time.perf_counter()
            s.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            s.wait_diagnostics(uri, version)
            if k >= 20:
                times.append((time.perf_counter() - started) * 1e3)
        hwm, rss = s.peak_rss_kb()
        s.stop()
        budget = 50 + 3 * len(text.encode()) / 2**20
        print(
            f"keystroke over stdio, {name} ({len(text.encode())} bytes, {count} diagnostics, {n} keystrokes): "
            f"p50 {percentile(times, 0.5):.3f} ms  p99 {percentile(times, 0.99):.3f} ms  "
            f"max {max(times):.3f} ms; server peak RSS {hwm / 1024:.1f} MiB "
            f"(target 50 MiB + 3 x text = {budget:.1f} MiB)"
        )


def memory():
    n = int(os.environ.get("NOTES", "1000"))
    # 1,000 notes of a few encounters each (about 4 KB), cut from one corpus
    # at encounter headings.
    text = corpus(7, 4_200 * n)
    starts = [i for i in range(len(text)) if text.startswith("# Encounter", i) and (i == 0 or text[i - 1] == "\n")]
    notes, begin = [], 0
    for i in starts[1:]:
        if i - begin >= 4_000 and len(notes) < n - 1:
            notes.append(text[begin:i])
            begin = i
    notes.append(text[begin:])
    held = sum(len(t.encode()) for t in notes)
    s = Server()
    s.initialize()
    base_hwm, _ = s.peak_rss_kb()
    for k, t in enumerate(notes):
        s.open(f"file:///bench/notes/{k:04}.derm", t)
    for k in range(len(notes)):
        s.wait_diagnostics(f"file:///bench/notes/{k:04}.derm", 1)
    hwm, rss = s.peak_rss_kb()
    s.stop()
    budget = 50 + 3 * held / 2**20
    print(
        f"server holding {len(notes)} open notes ({held / 2**20:.1f} MiB of text): "
        f"peak RSS {hwm / 1024:.1f} MiB (RSS {rss / 1024:.1f} MiB; {base_hwm / 1024:.1f} MiB after initialize); "
        f"target 50 MiB + 3 x text = {budget:.1f} MiB"
    )


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} not found: cargo build --release first")
    for name, f in [("startup", startup), ("keystroke", keystroke), ("memory", memory)]:
        if what in (name, "all"):
            f()


if __name__ == "__main__":
    main()
