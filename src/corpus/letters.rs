//! The language guess: Arabic-script and Latin letters counted as the text is read.

use std::ops::Range;

use super::Lang;

/// Arabic-script and Latin letters of an article so far, for the language guess: the
/// share of Arabic among them. URLs are left out: they are Latin whatever the report's
/// language.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Letters {
    arabic: usize,
    latin: usize,
}

impl Letters {
    /// Count `text`, less its URLs at `urls` (as `url::find_inline_urls` gives them: the
    /// caller has them already).
    pub fn add(&mut self, text: &str, urls: &[Range<usize>]) {
        let (a, l) = count_letters(text.as_bytes());
        self.arabic += a;
        self.latin += l;
        for url in urls {
            let (a, l) = count_letters(&text.as_bytes()[url.clone()]);
            self.arabic -= a;
            self.latin -= l;
        }
    }

    pub fn lang(self) -> Lang {
        let total = self.arabic + self.latin;
        if total == 0 {
            return Lang::En;
        }
        let share = self.arabic as f64 / total as f64;
        if share >= 0.8 {
            Lang::Ar
        } else if share <= 0.2 {
            Lang::En
        } else {
            Lang::Mixed
        }
    }
}

/// Arabic-script and Latin characters in UTF-8 bytes, counted without decoding or
/// branching (this runs over every byte of the corpus; the compiler vectorizes both
/// counts): an Arabic-block character is led by 0xD8..0xDB (harakat and Arabic digits
/// count too: they are as much a sign of Arabic text); a Latin letter is an ASCII letter
/// or a two-byte character led by 0xC3..0xC9 (Latin-1 and Latin Extended).
fn count_letters(b: &[u8]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = super::compact::avx2() {
        return wide::count_letters(simd, b);
    }
    narrow(b)
}

/// `count_letters` a byte at a time, sixteen to a vector register where the compiler can.
fn narrow(b: &[u8]) -> (usize, usize) {
    // Byte-wide counters over runs of 224 bytes (255 at most; a multiple of the 32 the
    // vector loop takes, so only a text's last run has a scalar tail).
    let (mut arabic, mut latin) = (0usize, 0usize);
    for run in b.chunks(224) {
        let (a, l) = run.iter().fold((0u8, 0u8), |(a, l), &c| {
            let is_latin = (c | 0x20).wrapping_sub(b'a') < 26 || c.wrapping_sub(0xC3) < 7;
            (a + u8::from((c & 0xFC) == 0xD8), l + u8::from(is_latin))
        });
        arabic += usize::from(a);
        latin += usize::from(l);
    }
    (arabic, latin)
}

/// `count_letters` thirty-two bytes at a time with AVX2: a quarter of the instructions of
/// `narrow` (callgrind, 10,000 reports: 75 million -> 19 million).
#[cfg(target_arch = "x86_64")]
mod wide {
    use core::arch::x86_64::__m256i;
    use pulp::x86::V3;

    pub fn count_letters(simd: V3, b: &[u8]) -> (usize, usize) {
        // The closure is compiled for AVX2 only once inlined into pulp's function; with
        // `narrow` called inside it, it was not, and each intrinsic became a call
        // (callgrind: more instructions than `narrow` alone).
        let [lead_bits, arabic_lead, lower, a, z, latin_first, latin_last]: [__m256i; 7] =
            [0xFC, 0xD8, 0x20, b'a', 25, 0xC3, 6].map(|c| pulp::cast([c; 32]));
        let (arabic, latin, rest) = simd.vectorize(
            #[inline(always)]
            move || {
                let y = simd.avx2;
                // Unsigned `v < n` is `min(v, n - 1) == v`.
                let (mut arabic, mut latin) = (0, 0);
                let mut runs = b.chunks_exact(32);
                for run in &mut runs {
                    let Ok(run) = <[u8; 32]>::try_from(run) else {
                        break;
                    };
                    let v: __m256i = pulp::cast(run);
                    let lead = y._mm256_and_si256(v, lead_bits);
                    let is_arabic = y._mm256_cmpeq_epi8(lead, arabic_lead);
                    let ascii = y._mm256_sub_epi8(y._mm256_or_si256(v, lower), a);
                    let ascii = y._mm256_cmpeq_epi8(y._mm256_min_epu8(ascii, z), ascii);
                    let accented = y._mm256_sub_epi8(v, latin_first);
                    let accented =
                        y._mm256_cmpeq_epi8(y._mm256_min_epu8(accented, latin_last), accented);
                    let is_latin = y._mm256_or_si256(ascii, accented);
                    arabic += y._mm256_movemask_epi8(is_arabic).count_ones() as usize;
                    latin += y._mm256_movemask_epi8(is_latin).count_ones() as usize;
                }
                (arabic, latin, runs.remainder())
            },
        );
        let (a, l) = super::narrow(rest);
        (arabic + a, latin + l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::url;

    #[test]
    fn letters_are_counted_from_the_bytes_as_from_the_characters() {
        let is_latin = |c: char| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{27F}').contains(&c);
        let is_arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
        for c in (0u32..0x0800).filter_map(char::from_u32) {
            let s = format!("{c}{c} x");
            let expected = (
                2 * usize::from(is_arabic(c)),
                2 * usize::from(is_latin(c)) + 1,
            );
            assert_eq!(count_letters(s.as_bytes()), expected, "U+{:04X}", c as u32);
        }
    }

    fn guess_lang<const N: usize>(texts: [&str; N]) -> Lang {
        let mut letters = Letters::default();
        for t in texts {
            letters.add(t, &url::find_inline_urls(t));
        }
        letters.lang()
    }

    #[test]
    fn language_guess_ignores_urls() {
        assert_eq!(
            guess_lang(["أعلن المجلس البلدي https://www.facebook.com/SabhaCouncil/posts/1"]),
            Lang::Ar
        );
        assert_eq!(guess_lang(["The council said on Monday"]), Lang::En);
        assert_eq!(guess_lang(["The council of سبها البلدي said"]), Lang::Mixed);
    }

    #[test]
    fn every_length_and_byte_counts_the_same_both_ways() {
        // Every byte value at every place in texts longer and shorter than a vector.
        let bytes: Vec<u8> = (0..=255u8)
            .chain(b"ab \xD8\xA7 Z\xC3\xA9".iter().copied())
            .collect();
        for len in 0..100 {
            for start in 0..bytes.len() {
                let text: Vec<u8> = bytes
                    .iter()
                    .cycle()
                    .skip(start)
                    .take(len)
                    .copied()
                    .collect();
                assert_eq!(count_letters(&text), narrow(&text), "{text:?}");
            }
        }
    }
}
