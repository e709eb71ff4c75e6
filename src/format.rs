//! How numbers and labels are written, for every layer: digits grouped by
//! thousands, byte sizes, and the width of the widest label of a column. A leaf, like `hash`: it knows nothing of the rest.

/// The width in characters of the widest of `labels`, 0 for none: what a
/// column of them is padded to.
///
/// ```
/// assert_eq!(elastic_vdb::format::widest(["a", "nodeB", "∅"]), 5);
/// assert_eq!(elastic_vdb::format::widest(Vec::<String>::new()), 0);
/// ```
#[must_use]
pub fn widest<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> usize {
    labels
        .into_iter()
        .map(|label| label.as_ref().chars().count())
        .max()
        .unwrap_or(0)
}

/// Groups digits by thousands.
///
/// ```
/// use elastic_vdb::format::thousands;
///
/// assert_eq!(thousands(0), "0");
/// assert_eq!(thousands(999), "999");
/// assert_eq!(thousands(6000), "6,000");
/// assert_eq!(thousands(1_234_567), "1,234,567");
/// ```
#[must_use]
pub fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Bytes as B, KiB or MiB.
///
/// ```
/// use elastic_vdb::format::human_bytes;
///
/// assert_eq!(human_bytes(512), "512 B");
/// assert_eq!(human_bytes(262_144), "256.0 KiB");
/// assert_eq!(human_bytes(3 << 20), "3.0 MiB");
/// ```
#[must_use]
pub fn human_bytes(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1 << 20 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    }
}
