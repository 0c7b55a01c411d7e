//! Article text kept once, in the form body search reads: folded, one byte per letter
//! (`search::alphabet`), paragraphs separated by a newline. Folding loses little (case,
//! letter variants such as ة and أ, harakat, characters outside ASCII and the Arabic
//! block), so after the folded bytes come the edits that give the original back: one per
//! character whose folded byte is not its own one-byte code, about one letter in twenty.
//! (Keeping the original and the folded text side by side took two bytes per letter.)

use std::sync::Arc;

use crate::search::alphabet;

/// AVX2, when this processor has it.
#[cfg(target_arch = "x86_64")]
pub(super) fn avx2() -> Option<pulp::x86::V3> {
    blocks::available()
}

/// Folded text followed by the edits that restore the original, in a block of bytes that
/// the texts of other articles may share (see `pack`); none for no text (an allocation
/// each, in a load of titles alone). Boxed in the `Arc` rather than inline, so that
/// neither a text nor a block is copied into it.
#[derive(Debug, Clone, Default)]
pub struct StoredText {
    block: Option<Arc<Box<[u8]>>>,
    start: usize,
    folded_end: usize,
    end: usize,
}

impl PartialEq for StoredText {
    fn eq(&self, other: &StoredText) -> bool {
        self.folded() == other.folded() && self.bytes() == other.bytes()
    }
}

impl Eq for StoredText {}

/// The one-byte code of characters in ASCII and U+0600..U+067F (the same code the folded
/// alphabet gives a character that folds to itself), from the bytes of its UTF-8.
fn own_code(utf8: &[u8]) -> Option<u8> {
    match *utf8 {
        [c] => Some(c),
        [lead @ (0xD8 | 0xD9), next] => Some(0x80 + ((lead & 0x01) << 6) + (next & 0x3F)),
        _ => None,
    }
}

/// Append the character whose one-byte code is `code`.
fn push_code(code: u8, out: &mut Vec<u8>) {
    if code < 0x80 {
        out.push(code);
    } else {
        let offset = code - 0x80;
        out.extend_from_slice(&[0xD8 | (offset >> 6), 0x80 | (offset & 0x3F)]);
    }
}

fn push_varint(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(b: &[u8], i: &mut usize) -> usize {
    let mut n = 0;
    let mut shift = 0;
    loop {
        let byte = b[*i];
        *i += 1;
        n |= usize::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// Edits are written as: the number of folded bytes since the last edit that are the
/// original's own codes, shifted left one bit; when that bit is clear, the next folded
/// byte stands for the character with the one-byte code that follows (É would not do,
/// A→a or ة→ه do); when set, the number of folded bytes the character took (none for a
/// haraka), then the character's UTF-8.
struct Edits {
    bytes: Vec<u8>,
    /// End in the folded text of the last edit.
    last: usize,
}

impl Edits {
    fn one_byte(&mut self, at: usize, code: u8) {
        push_varint((at - self.last) << 1, &mut self.bytes);
        self.bytes.push(code);
        self.last = at + 1;
    }

    #[cold]
    fn general(&mut self, at: usize, folded: usize, utf8: &[u8]) {
        push_varint(((at - self.last) << 1) | 1, &mut self.bytes);
        push_varint(folded, &mut self.bytes);
        self.bytes.extend_from_slice(utf8);
        self.last = at + folded;
    }
}

impl StoredText {
    /// Store the paragraphs at the end of `block`, which the texts of other articles
    /// share; the text reads as empty until the block is sealed (`seal`). Written in
    /// place: stored one by one and copied into a shared block after, every text was
    /// written twice. This reads every byte of the corpus at load, so the common
    /// characters take the shortest path.
    pub fn build_in<'a>(
        folded: &mut Vec<u8>,
        paragraphs: impl Iterator<Item = &'a str>,
    ) -> StoredText {
        StoredText::build_in_by(folded, paragraphs, true)
    }

    /// `build_in`, with vector instructions where the processor has them when `vector`.
    fn build_in_by<'a>(
        folded: &mut Vec<u8>,
        paragraphs: impl Iterator<Item = &'a str>,
        vector: bool,
    ) -> StoredText {
        #[cfg(target_arch = "x86_64")]
        let simd = blocks::available().filter(|_| vector);
        #[cfg(not(target_arch = "x86_64"))]
        let _ = vector;
        let codes = alphabet::arabic_codes();
        let table = common_folds();
        let start = folded.len();
        // The edits' buffer is kept for the next text of this thread: grown afresh for
        // every text, it was a fifth of a load's allocations.
        thread_local! {
            static EDITS: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
        }
        let mut edits = Edits {
            bytes: EDITS.take(),
            last: start,
        };
        edits.bytes.clear();
        let mut pending = Pending([(0, 0); PENDING]);
        // Written by position, not pushed: with a push the length went through memory on
        // every character.
        let mut o = start;
        for (n, p) in paragraphs.enumerate() {
            // Room for a newline and one byte per byte of text (`rare` makes more when a
            // character folds to more bytes than it has).
            folded.resize(o + 1 + p.len(), 0);
            if n > 0 {
                // Not a character of the text: the decoder leaves it out.
                folded[o] = b'\n';
                o += 1;
            }
            let b = p.as_bytes();
            let mut i = 0;
            while i < b.len() {
                #[cfg(target_arch = "x86_64")]
                if let Some(simd) = simd {
                    i = blocks::fold(simd, b, i, table, folded, &mut o, &mut pending, &mut edits);
                }
                i = common_run(b, i, table, folded, &mut o, &mut pending, &mut edits);
                if let Some(&c) = b.get(i) {
                    let utf8 = &b[i..i + utf8_width(c)];
                    o = rare(utf8, codes, folded, o, b.len() - i - utf8.len(), &mut edits);
                    i += utf8.len();
                }
            }
        }
        folded.truncate(o);
        let folded_end = folded.len();
        folded.extend_from_slice(&edits.bytes);
        if edits.bytes.capacity() <= super::report::KEPT_ROOM {
            EDITS.set(edits.bytes);
        }
        StoredText {
            block: None,
            start,
            folded_end,
            end: folded.len(),
        }
    }

    /// Folded text and edits.
    fn bytes(&self) -> &[u8] {
        self.block
            .as_ref()
            .map_or(&[], |b| &b[self.start..self.end])
    }

    /// The folded paragraphs, separated by newlines: what body search reads.
    pub fn folded(&self) -> &[u8] {
        self.block
            .as_ref()
            .map_or(&[], |b| &b[self.start..self.folded_end])
    }

    /// The original paragraphs, one after another.
    pub fn decode(&self) -> String {
        let mut out = Vec::new();
        self.decode_into(&mut out);
        // Only whole characters were ever written.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Append the original paragraphs' UTF-8, one after another, to `out`.
    pub fn decode_into(&self, out: &mut Vec<u8>) {
        let bytes = self.bytes();
        // (Nothing, before the block is sealed.)
        let (folded, edits) = bytes.split_at((self.folded_end - self.start).min(bytes.len()));
        out.reserve(folded.len() * 2);
        let own_codes = |bytes: &[u8], out: &mut Vec<u8>| {
            for &b in bytes {
                if b != b'\n' {
                    push_code(b, out);
                }
            }
        };
        let (mut i, mut j) = (0, 0);
        while j < edits.len() {
            let head = read_varint(edits, &mut j);
            own_codes(&folded[i..i + (head >> 1)], out);
            i += head >> 1;
            if head & 1 == 0 {
                push_code(edits[j], out);
                j += 1;
                i += 1;
            } else {
                i += read_varint(edits, &mut j);
                let width = utf8_width(edits[j]);
                out.extend_from_slice(&edits[j..j + width]);
                j += width;
            }
        }
        own_codes(&folded[i..], out);
    }
}

/// Give the texts stored in `block` (`StoredText::build_in`) the block, shared; texts
/// with no bytes need none (an allocation each, in a load of titles alone).
pub fn seal<'t>(block: Vec<u8>, texts: impl IntoIterator<Item = &'t mut StoredText>) {
    if block.is_empty() {
        return;
    }
    let block = Arc::new(block.into_boxed_slice());
    for text in texts {
        if text.end > text.start && text.block.is_none() {
            text.block = Some(block.clone());
        }
    }
}

/// For a character's first byte and the low six bits of the byte after it: its folded
/// code in the low byte and its own one-byte code (see `own_code`) in the high byte, when
/// it is ASCII or U+0600..U+067F and folds to one byte; else 0 (harakat and tatweel fold
/// to nothing; NUL and the newline, which separates paragraphs in the folded text, take
/// the slow path). 32 KB; the rows of the letters in use fit in the first-level cache.
fn common_folds() -> &'static [u16; 1 << 14] {
    static TABLE: std::sync::OnceLock<Box<[u16; 1 << 14]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let codes = alphabet::arabic_codes();
        Box::new(std::array::from_fn(|n| {
            let (lead, low) = ((n >> 6) as u8, (n & 0x3F) as u8);
            let (own, folded) = match lead {
                0 | b'\n' => return 0,
                c @ 1..0x80 => (c, Some(c.to_ascii_lowercase())),
                0xD8 | 0xD9 => {
                    let own = 0x80 | ((lead & 0x01) << 6) | low;
                    (own, codes[usize::from(own & 0x7F)])
                }
                _ => return 0,
            };
            folded.map_or(0, |f| u16::from(f) | (u16::from(own) << 8))
        }))
    })
}

/// Where in `common_folds` the character starting with `lead` (and `next`) is.
fn common_index(lead: u8, next: u8) -> usize {
    (usize::from(lead) << 6) | usize::from(next & 0x3F)
}

/// Edits of the common path, kept without a branch (whether a letter needs one is a coin
/// toss to the branch predictor, one letter in ten) and written out in order later. Their
/// count is a local of `common_run`: kept here, it went to memory and back for every
/// character.
struct Pending([(usize, u8); PENDING]);

const PENDING: usize = 64;

impl Pending {
    /// Write out the first `len` and return the new count, none.
    fn flush(&self, len: usize, edits: &mut Edits) -> usize {
        for &(at, own) in &self.0[..len] {
            edits.one_byte(at, own);
        }
        0
    }
}

/// Folds the characters from `i` on while they are ASCII or U+0600..U+067F and fold to one
/// byte, returning where the first that does not starts. Most characters are such, and
/// fold to themselves (A→a or ة→ه need an edit: about one in ten).
///
/// Eight bytes are read at a time and up to four characters taken from them: stepping a
/// character at a time, each step waited for the load of the byte before it. (Four
/// Arabic letters at once when all four fold to themselves was slower: in Arabic text
/// with spaces, whether the eight bytes hold a space is a coin toss.)
#[inline]
fn common_run(
    b: &[u8],
    mut i: usize,
    table: &[u16; 1 << 14],
    folded: &mut [u8],
    o: &mut usize,
    pending: &mut Pending,
    edits: &mut Edits,
) -> usize {
    let mut at = *o;
    let mut len = 0;
    // Whether the character starting with `c` was folded.
    #[inline(always)]
    fn fold(
        c: u8,
        next: u8,
        table: &[u16; 1 << 14],
        folded: &mut [u8],
        at: &mut usize,
        slots: &mut [(usize, u8); PENDING],
        len: &mut usize,
    ) -> bool {
        let entry = table[common_index(c, next)];
        let f = entry as u8;
        if f == 0 {
            return false;
        }
        folded[*at] = f;
        let own = (entry >> 8) as u8;
        slots[*len % PENDING] = (*at, own);
        *len += usize::from(f != own);
        *at += 1;
        true
    }
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    'words: while let Some(word) = b.get(i..i + 8) {
        if len > PENDING - 8 {
            len = pending.flush(len, edits);
        }
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        if w & HIGH == 0 {
            // Eight ASCII characters: they fold to themselves unless one is a capital (an
            // edit), NUL or a newline (the slow path). Each test is exact for ASCII bytes.
            let capital = w.wrapping_add(0x3F * LOW) & !w.wrapping_add(0x25 * LOW);
            let zero = |v: u64| v.wrapping_sub(LOW) & !v;
            if (capital | zero(w) | zero(w ^ (u64::from(b'\n') * LOW))) & HIGH == 0 {
                folded[at..at + 8].copy_from_slice(word);
                at += 8;
                i += 8;
                continue;
            }
        }
        // Four characters of at most two bytes each: the fourth starts by the seventh byte.
        let mut k = 0;
        for _ in 0..4 {
            let c = (w >> k) as u8;
            let next = (w >> (k + 8)) as u8;
            if !fold(c, next, table, folded, &mut at, &mut pending.0, &mut len) {
                i += (k / 8) as usize;
                break 'words;
            }
            k += 8 + (u32::from(c >> 7) << 3);
        }
        i += (k / 8) as usize;
    }
    while let Some(&c) = b.get(i) {
        if len == PENDING {
            len = pending.flush(len, edits);
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        if !fold(c, next, table, folded, &mut at, &mut pending.0, &mut len) {
            break;
        }
        i += 1 + usize::from(c >> 7);
    }
    pending.flush(len, edits);
    *o = at;
    i
}

/// The common path thirty-two bytes at a time, with AVX2 where the processor has it
/// (found at run time; `pulp` keeps the instructions safe to call). Stepping eight bytes
/// at a time, folding was a third of the time of loading a million articles.
#[cfg(target_arch = "x86_64")]
mod blocks {
    use super::{Edits, PENDING, Pending, common_folds, common_index};
    use core::arch::x86_64::{__m128i, __m256i};
    use pulp::x86::V3;
    use std::sync::OnceLock;

    pub fn available() -> Option<V3> {
        static SIMD: OnceLock<Option<V3>> = OnceLock::new();
        *SIMD.get_or_init(V3::try_new)
    }

    /// For each mask of eight bytes, the positions of its set bits in order, then
    /// positions past the end (a shuffle by these moves the bytes kept to the front).
    fn compaction() -> &'static [[u8; 16]; 256] {
        static TABLE: OnceLock<[[u8; 16]; 256]> = OnceLock::new();
        TABLE.get_or_init(|| {
            std::array::from_fn(|mask| {
                let mut row = [0x80; 16];
                for (slot, bit) in (0..8).filter(|b| mask & (1 << b) != 0).enumerate() {
                    row[slot] = bit;
                }
                row
            })
        })
    }

    /// Bits for the one-byte codes 0x80..0xFF (U+0600..U+067F): of the characters that
    /// fold to another one, and of those that fold to nothing.
    fn not_themselves() -> ([u8; 16], [u8; 16]) {
        static BITS: OnceLock<([u8; 16], [u8; 16])> = OnceLock::new();
        *BITS.get_or_init(|| {
            let table = common_folds();
            let (mut other, mut nothing) = ([0; 16], [0; 16]);
            for x in 0u8..0x80 {
                let (lead, low) = (0xD8 | (x >> 6), x & 0x3F);
                let bits = match table[common_index(lead, low)] as u8 {
                    0 => &mut nothing,
                    f if f != 0x80 | x => &mut other,
                    _ => continue,
                };
                bits[usize::from(x >> 3)] |= 1 << (x & 7);
            }
            (other, nothing)
        })
    }

    /// Fold from `i` on while thirty-three bytes remain and every character starting in
    /// the thirty-two at `i` is ASCII or U+0600..U+067F and folds to one byte (the last
    /// byte is the second of a character that starts on the one before). Returns where
    /// it stopped, at the start of a character.
    #[allow(clippy::too_many_arguments)]
    pub fn fold(
        simd: V3,
        b: &[u8],
        mut i: usize,
        table: &[u16; 1 << 14],
        folded: &mut [u8],
        at: &mut usize,
        pending: &mut Pending,
        edits: &mut Edits,
    ) -> usize {
        let mut len = 0;
        let len = &mut len;
        let compact = compaction();
        let (other, nothing) = not_themselves();
        simd.vectorize(
            #[inline(always)]
            || {
                let (x, y) = (simd.avx, simd.avx2);
                let splat = |c: u8| x._mm256_set1_epi8(c as i8);
                let (other, nothing): (__m256i, __m256i) =
                    (pulp::cast([other, other]), pulp::cast([nothing, nothing]));
                let powers: __m256i =
                    pulp::cast(std::array::from_fn::<u8, 32, _>(|i| 1 << (i % 8)));
                while let Some(window) = b.get(i..i + 33) {
                    let Ok(here) = <[u8; 32]>::try_from(&window[..32]) else {
                        break;
                    };
                    let Ok(after) = <[u8; 32]>::try_from(&window[1..]) else {
                        break;
                    };
                    let (v, next): (__m256i, __m256i) = (pulp::cast(here), pulp::cast(after));
                    let mask = |m: __m256i| y._mm256_movemask_epi8(m) as u32;
                    let is = |m: __m256i, c: u8| y._mm256_cmpeq_epi8(m, splat(c));
                    let and = |m: __m256i, c: u8| y._mm256_and_si256(m, splat(c));
                    let starts = !mask(is(and(v, 0xC0), 0x80));
                    let arabic_vec = is(and(v, 0xFE), 0xD8);
                    let arabic = mask(arabic_vec) & starts;
                    let high = mask(v);
                    let stops = mask(y._mm256_or_si256(is(v, 0), is(v, b'\n')));
                    if starts & ((high & !arabic) | stops) != 0 {
                        break;
                    }
                    // Each character's own one-byte code: an Arabic letter's from its two bytes.
                    let odd = and(is(and(v, 1), 1), 0x40);
                    let code =
                        y._mm256_or_si256(y._mm256_or_si256(splat(0x80), odd), and(next, 0x3F));
                    let own = y._mm256_blendv_epi8(v, code, arabic_vec);
                    // Arabic letters that fold to another, or to nothing (a haraka, which
                    // ends the run), looked up bit by bit.
                    let low = and(own, 0x7F);
                    let byte_at = and(y._mm256_srli_epi16::<3>(low), 0x0F);
                    let bit = y._mm256_shuffle_epi8(powers, and(low, 7));
                    let has = |bits: __m256i| {
                        let byte = y._mm256_shuffle_epi8(bits, byte_at);
                        mask(y._mm256_cmpeq_epi8(y._mm256_and_si256(byte, bit), bit)) & arabic
                    };
                    if has(nothing) != 0 {
                        break;
                    }
                    let changed = has(other);
                    // 'A'..='Z' land on -128..=-103 when 0x3F is added; nothing else does.
                    let shifted = y._mm256_add_epi8(v, splat(0x3F));
                    let capitals = mask(y._mm256_cmpgt_epi8(splat(0x9A), shifted)) & starts;
                    if *len > PENDING - 32 {
                        *len = pending.flush(*len, edits);
                    }
                    // The codes of the bytes that start characters, moved together.
                    let start = *at;
                    let halves: [__m128i; 2] = [
                        x._mm256_castsi256_si128(own),
                        y._mm256_extracti128_si256::<1>(own),
                    ];
                    for (h, half) in halves.into_iter().enumerate() {
                        for part in 0..2 {
                            let keep = (starts >> (16 * h + 8 * part)) & 0xFF;
                            let mut order: __m128i = pulp::cast(compact[keep as usize]);
                            if part == 1 {
                                order = simd.sse2._mm_add_epi8(order, pulp::cast([8u8; 16]));
                            }
                            let moved: [u8; 16] =
                                pulp::cast(simd.ssse3._mm_shuffle_epi8(half, order));
                            folded[*at..*at + 8].copy_from_slice(&moved[..8]);
                            *at += keep.count_ones() as usize;
                        }
                    }
                    // Letters that fold to another: the folded byte and an edit.
                    let mut m = changed | capitals;
                    while m != 0 {
                        let j = m.trailing_zeros() as usize;
                        let entry = table[common_index(window[j], window[j + 1])];
                        let before = (starts & ((1u32 << j) - 1)).count_ones() as usize;
                        folded[start + before] = entry as u8;
                        pending.0[*len] = (start + before, (entry >> 8) as u8);
                        *len += 1;
                        m &= m - 1;
                    }
                    i += 32;
                    // The second byte of a character begun on the last byte.
                    if b.get(i).is_some_and(|&c| c & 0xC0 == 0x80) {
                        i += 1;
                    }
                }
                pending.flush(*len, edits);
                i
            },
        )
    }
}

/// A character that is not its own folded code: its folded bytes, written at `at`, and an
/// edit. Returns where the next character goes; `room` bytes are kept free after it.
#[cold]
fn rare(
    utf8: &[u8],
    codes: &[Option<u8>; 256],
    folded: &mut Vec<u8>,
    at: usize,
    room: usize,
    edits: &mut Edits,
) -> usize {
    if let [c] = *utf8 {
        folded[at] = c.to_ascii_lowercase();
        edits.one_byte(at, c);
        at + 1
    } else if let [lead @ 0xD8..=0xDB, next] = *utf8 {
        // The Arabic block: folds to at most one character.
        let code = codes[(usize::from(lead & 0x03) << 6) | usize::from(next & 0x3F)];
        match (own_code(utf8), code) {
            (Some(own), Some(code)) => {
                folded[at] = code;
                edits.one_byte(at, own);
                at + 1
            }
            (None, Some(code)) => {
                folded[at] = code;
                edits.general(at, 1, utf8);
                at + 1
            }
            (_, None) => {
                edits.general(at, 0, utf8);
                at
            }
        }
    } else {
        let mut bytes = Vec::new();
        alphabet::encode_folded(std::str::from_utf8(utf8).unwrap_or_default(), &mut bytes);
        let end = at + bytes.len();
        if folded.len() < end + room {
            folded.resize(end + room, 0);
        }
        folded[at..end].copy_from_slice(&bytes);
        edits.general(at, bytes.len(), utf8);
        end
    }
}

/// Bytes in the UTF-8 sequence that starts with `lead`.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paragraphs stored in a block of their own.
    fn store_all(paragraphs: &[&str]) -> StoredText {
        let mut block = Vec::new();
        let mut text = StoredText::build_in(&mut block, paragraphs.iter().copied());
        seal(block, [&mut text]);
        text
    }

    fn store(text: &str) -> StoredText {
        store_all(&[text])
    }

    /// The paragraphs stored together give them back, and their folded part is what the
    /// search alphabet makes of them, newline-separated.
    fn assert_stored_well(paragraphs: &[&str]) {
        let stored = store_all(paragraphs);
        assert_eq!(stored.decode(), paragraphs.concat(), "{paragraphs:?}");
        let mut expected = Vec::new();
        for (n, p) in paragraphs.iter().enumerate() {
            if n > 0 {
                expected.push(b'\n');
            }
            alphabet::encode_folded(p, &mut expected);
        }
        assert_eq!(stored.folded(), &expected[..], "{paragraphs:?}");
    }

    #[test]
    fn every_character_comes_back() {
        let all: String = (1u32..0x3_0000).filter_map(char::from_u32).collect();
        assert_eq!(store(&all).decode(), all);
        // Long runs between edits (several varint bytes), edits back to back, an edit
        // that takes no folded byte at either end.
        let long = "ب".repeat(20_000);
        for text in [
            "",
            "\u{1}",
            "\n",
            "a\nb",
            "ٿ",
            "\u{10FFFF}x",
            "ABC",
            "\u{64E}",
            "ب\u{64E}",
            "\u{64E}ب",
            "ﷺ",
            // Folds to far more bytes than it has, again and again, then plain text.
            &format!("{}ب ة", "ﷺ".repeat(5_000)),
            &format!("A{long}ة{long}É"),
            // More edits in one run than are kept pending at once.
            &"أة Ab".repeat(100),
        ] {
            assert_eq!(store(text).decode(), text, "{text:?}");
        }
    }

    /// Mixtures of characters that need an edit and characters that do not, in every
    /// order, with runs long and short: they come back, and fold as the alphabet does.
    #[test]
    fn mixed_text_comes_back() {
        let pool: Vec<char> = "بأةىؤئ\u{64E}\u{640}٢ـaAzZ \u{1}–Éﻻﷺ😀ٿڤ۰  b7"
            .chars()
            .collect();
        let mut rng = crate::generate::Rng::new(5);
        for _ in 0..2_000 {
            let len = rng.below(300);
            let text: String = (0..len)
                .map(|_| {
                    // Mostly plain letters, as in real text.
                    if rng.below(3) == 0 {
                        pool[rng.below(pool.len())]
                    } else {
                        'ب'
                    }
                })
                .collect();
            assert_stored_well(&[&text]);
        }
    }

    #[test]
    fn paragraphs_come_back_one_after_another() {
        assert_stored_well(&["سبها – أعلن مُخْتار فى ٢٠١٧", "The École \u{1} ﻻ ۀ reopened"]);
        // A paragraph that grows when folded, then others.
        let grown = "ﷺ".repeat(300);
        assert_stored_well(&[grown.as_str(), "ب", "", "ﷺ"]);
    }

    /// The fast path reads eight bytes at a time: a character that leaves it, at every
    /// place in those bytes, after one-byte and two-byte letters.
    #[test]
    fn a_rare_character_anywhere_in_eight_bytes() {
        for rare in ["\u{64E}", "…", "\u{1}", "\0", "😀", "ﻻ", "ٿ", "A", "ة"] {
            for before in 0..12 {
                for letter in ["ب", "b", "بb"] {
                    let text = format!("{}{rare}{}", letter.repeat(before), "سa".repeat(6));
                    assert_stored_well(&[&text]);
                }
            }
        }
    }

    /// With vector instructions or without, the same bytes: random texts of every kind
    /// of character the fold tells apart, long enough to cross several thirty-two-byte
    /// blocks, at every alignment.
    #[test]
    fn vector_and_scalar_folds_store_the_same_bytes() {
        let mut kinds: Vec<String> = ('\u{600}'..='\u{67F}')
            .chain('\0'..='\u{7F}')
            .map(String::from)
            .collect();
        kinds.extend(["é", "É", "–", "ﷺ", "😀", "ک", "ݐ"].map(String::from));
        let common: Vec<String> = ["ب", "س", "ة", "أ", " ", "a", "T", "ا", "ل"]
            .map(String::from)
            .to_vec();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..3000 {
            let len = next(160);
            // Mostly common characters, as text is, with the others now and then.
            let text: String = (0..len)
                .map(|_| {
                    if next(8) == 0 {
                        kinds[next(kinds.len())].clone()
                    } else {
                        common[next(common.len())].clone()
                    }
                })
                .collect();
            let lead = "x".repeat(round % 5);
            let paragraphs = [lead.as_str(), text.as_str(), text.as_str()];
            let (mut scalar, mut vector) = (Vec::new(), Vec::new());
            let a = StoredText::build_in_by(&mut scalar, paragraphs.iter().copied(), false);
            let b = StoredText::build_in_by(&mut vector, paragraphs.iter().copied(), true);
            assert_eq!(scalar, vector, "{text:?}");
            assert_eq!((a.folded_end, a.end), (b.folded_end, b.end));
            let mut b = b;
            seal(vector, [&mut b]);
            assert_eq!(b.decode(), paragraphs.concat());
        }
    }

    /// Texts stored one after another in a block read as each does stored alone, and
    /// share the block once it is sealed; empty ones need none.
    #[test]
    fn texts_stored_in_one_block_share_it_and_read_as_alone() {
        let texts = [
            "سبها – أعلن مُخْتار فى ٢٠١٧",
            "",
            "The École ﷺ",
            &"ﷺ".repeat(300),
            "ب\u{64E}ة\n😀",
        ];
        let alone: Vec<StoredText> = texts.iter().map(|t| store(t)).collect();
        let mut block = Vec::new();
        let mut stored: Vec<StoredText> = texts
            .iter()
            .map(|t| StoredText::build_in(&mut block, std::iter::once(*t)))
            .collect();
        assert!(
            stored.iter().all(|s| s.decode().is_empty()),
            "not sealed yet"
        );
        seal(block, stored.iter_mut());
        for ((s, a), t) in stored.iter().zip(&alone).zip(texts) {
            assert_eq!(s, a);
            assert_eq!(s.decode(), t);
            assert_eq!(s.folded(), a.folded());
            let (block, first) = (s.block.as_ref(), stored[0].block.as_ref());
            assert!(t.is_empty() || block.zip(first).is_some_and(|(b, f)| Arc::ptr_eq(b, f)));
            assert_eq!(t.is_empty(), block.is_none());
        }
        let total: usize = alone.iter().map(|a| a.bytes().len()).sum();
        assert_eq!(stored[0].block.as_ref().map(|b| b.len()), Some(total));
        // No text, no block.
        let mut block = Vec::new();
        let mut empty = [
            StoredText::build_in(&mut block, std::iter::once("")),
            StoredText::build_in(&mut block, std::iter::empty()),
        ];
        seal(block, empty.iter_mut());
        assert!(
            empty
                .iter()
                .all(|e| e.block.is_none() && e.decode().is_empty())
        );
    }

    #[test]
    fn text_that_folds_to_itself_needs_no_edits() {
        let text = "سبها اعلن المجلس البلدي مختار 2017 the council";
        let stored = store(text);
        assert_eq!(stored.bytes().len(), text.chars().count());
        // One edit of two bytes per letter that folds to another: أ, ة and T.
        let stored = store("أعلن القاعدة The");
        assert_eq!(stored.bytes().len(), stored.folded().len() + 3 * 2);
    }
}
