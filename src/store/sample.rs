//! A regular sample of the vectors' positions: every `stride`-th vector by
//! serial number, at most [`SAMPLE_CAP`] of them, kept up to date as vectors
//! are added. Whoever looks at many vectors at once (the ring picture draws
//! them as dots) reads their positions here instead of hashing every id
//! again, so that looking at a million-vector store costs what the sample
//! costs.

use crate::hash::{key_position, vector_id};

/// The most positions the sample keeps.
pub const SAMPLE_CAP: usize = 20_000;

/// The positions of every `stride`-th vector by serial (lost ones
/// included), created and kept by the store: see
/// [`crate::VectorStore::sample`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    stride: usize,
    positions: Vec<u64>,
}

impl Default for Sample {
    fn default() -> Self {
        Sample {
            stride: 1,
            positions: Vec::new(),
        }
    }
}

impl Sample {
    /// Every how many serial numbers a position is kept.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(50_000)?;
    /// assert_eq!(db.sample().stride(), 3); // 50,000 / 20,000, rounded up
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The positions, the `i`-th being that of vector `i * stride`.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// let first = elastic_vdb::hash::key_position("vec_000000");
    /// assert_eq!(db.sample().positions()[0], first);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// Brings the sample up to date after vectors `first..generated` were
    /// added at `positions`: kept at the same stride, or taken again at a
    /// larger one when the cap would be passed.
    pub(crate) fn extend(&mut self, generated: u32, first: u32, positions: &[u64]) {
        let stride = (generated as usize).div_ceil(SAMPLE_CAP).max(1);
        let first = first as usize;
        let position_of = |serial: usize| match serial.checked_sub(first) {
            Some(offset) => positions[offset],
            None => key_position(&vector_id(serial as u32)),
        };
        if stride == self.stride {
            let next = self.positions.len() * stride;
            self.positions
                .extend((next..generated as usize).step_by(stride).map(position_of));
        } else {
            self.positions = (0..generated as usize)
                .step_by(stride)
                .map(position_of)
                .collect();
            self.stride = stride;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::hash::{key_position, vector_id};
    use crate::store::{SAMPLE_CAP, StoreConfig, VectorStore};

    /// The sample stays every `stride`-th vector by serial when vectors
    /// come in several batches, with the stride kept or grown.
    #[test]
    fn the_sample_is_every_stride_th_vector_across_batches() -> Result<(), Error> {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 1,
            ..StoreConfig::default()
        })?;
        for batch in [SAMPLE_CAP + 7, 3, SAMPLE_CAP / 2, 1, SAMPLE_CAP] {
            db.add_vectors(batch)?;
            let sample = db.sample();
            let expected: Vec<u64> = (0..db.generated())
                .step_by(sample.stride())
                .map(|serial| key_position(&vector_id(serial)))
                .collect();
            assert_eq!(
                sample.positions(),
                expected.as_slice(),
                "stride {}",
                sample.stride()
            );
            assert!(sample.positions().len() <= SAMPLE_CAP);
        }
        Ok(())
    }
}
