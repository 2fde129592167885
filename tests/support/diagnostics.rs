//! Published diagnostics as text, for snapshots.

use serde_json::Value;

/// One line per diagnostic: range, severity, code, message (its control
/// characters escaped, `\u{0}`, so that a snapshot stays text).
pub fn summary(diags: &Value) -> String {
    let mut s = String::new();
    for d in diags.as_array().into_iter().flatten() {
        let r = &d["range"];
        let message: String = d["message"]
            .as_str()
            .unwrap_or("")
            .chars()
            .map(|c| match c.is_control() {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            })
            .collect();
        s.push_str(&format!(
            "{}:{}-{}:{} {} {} {message}\n",
            r["start"]["line"],
            r["start"]["character"],
            r["end"]["line"],
            r["end"]["character"],
            d["severity"],
            d["code"].as_str().unwrap_or(""),
        ));
    }
    s
}
