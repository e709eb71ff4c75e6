//! The placement hash: where a node's virtual nodes and a key sit on the ring.
//!
//! A ring position is the first eight bytes, read big-endian, of the SHA-256
//! digest of a UTF-8 string. Virtual node `v` of node `id` hashes
//! `node:{id}#vnode:{v}`; a key hashes `key:{key}`. These are the tutorial's
//! strings, so the same node names and vnode counts give the same shard map.
//!
//! ```
//! use elastic_vdb::hash::{key_position, vnode_position};
//!
//! assert_eq!(vnode_position("nodeA", 0), 6804487152355121759);
//! assert_eq!(key_position("vec_000000"), 12194541648101354179);
//! ```

use sha2::{Digest, Sha256};

/// The ring position of an arbitrary string: SHA-256, first 8 bytes, big-endian.
///
/// ```
/// use elastic_vdb::hash::position;
///
/// assert_eq!(position("key:vec_000000"), 12194541648101354179);
/// ```
#[must_use]
pub fn position(text: &str) -> u64 {
    position_of_parts(&[text.as_bytes()])
}

/// The ring position of a key, the hash of `key:{key}`.
///
/// ```
/// use elastic_vdb::hash::key_position;
///
/// assert_eq!(key_position(""), 8157005542139820723);
/// ```
#[must_use]
pub fn key_position(key: &str) -> u64 {
    position_of_parts(&[b"key:", key.as_bytes()])
}

/// The ring position of virtual node `vnode` of node `node_id`, the hash of
/// `node:{node_id}#vnode:{vnode}`.
///
/// ```
/// use elastic_vdb::hash::vnode_position;
///
/// assert_eq!(vnode_position("nodeA", 79), 9609260293662175126);
/// ```
#[must_use]
pub fn vnode_position(node_id: &str, vnode: u32) -> u64 {
    let mut digits = itoa::Buffer::new();
    let vnode = digits.format(vnode).as_bytes();
    position_of_parts(&[b"node:", node_id.as_bytes(), b"#vnode:", vnode])
}

/// The position tried for a virtual node whose own position is already taken:
/// the hash of `node:{node_id}#vnode:{vnode}#salt:{salt}`, with `salt` counting
/// up from 1 until a free position is found.
///
/// The tutorial salts with a random number; counting makes the ring
/// deterministic while keeping the tutorial's positions whenever nothing
/// collides (a 64-bit collision among a few thousand points is, in practice,
/// never seen).
///
/// ```
/// use elastic_vdb::hash::{position, salted_vnode_position};
///
/// assert_eq!(salted_vnode_position("a", 3, 1), position("node:a#vnode:3#salt:1"));
/// ```
#[must_use]
pub fn salted_vnode_position(node_id: &str, vnode: u32, salt: u64) -> u64 {
    let mut vnode_digits = itoa::Buffer::new();
    let mut salt_digits = itoa::Buffer::new();
    let vnode = vnode_digits.format(vnode).as_bytes();
    let salt = salt_digits.format(salt).as_bytes();
    position_of_parts(&[
        b"node:",
        node_id.as_bytes(),
        b"#vnode:",
        vnode,
        b"#salt:",
        salt,
    ])
}

/// Hashes the concatenation of `parts` without building it in memory first:
/// placing a million keys should not allocate a million strings.
fn position_of_parts(parts: &[&[u8]]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The name of the `serial`-th generated vector: `vec_000042`.
///
/// ```
/// assert_eq!(elastic_vdb::hash::vector_id(42), "vec_000042");
/// assert_eq!(elastic_vdb::hash::vector_id(1_234_567), "vec_1234567");
/// ```
#[must_use]
pub fn vector_id(serial: u32) -> String {
    format!("vec_{serial:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_hash_like_the_joined_string() {
        assert_eq!(vnode_position("n", 12), position("node:n#vnode:12"));
        assert_eq!(key_position("東京"), position("key:東京"));
        assert_eq!(
            salted_vnode_position("n", 0, 17),
            position("node:n#vnode:0#salt:17")
        );
    }
}
