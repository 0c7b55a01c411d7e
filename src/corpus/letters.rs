//! The language guess: Arabic-script and Latin letters counted as the text is read, in
//! the one pass over each line that also rules out what most lines do not hold.

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
        self.add_counted(count_letters(text.as_bytes()), text, urls);
    }

    /// `add`, the letters of the whole of `text` counted already (`LineScan::letters`).
    pub fn add_counted(&mut self, (a, l): (usize, usize), text: &str, urls: &[Range<usize>]) {
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
    scan_line(b).letters
}

/// What one pass over a line's bytes tells: its letters (`count_letters`), and whether
/// it may hold a control character, a bidi control or a link. When it may not, their
/// own checks (`sanitize`, `without_bidi_controls`, `find_inline_urls`: four more passes
/// over every line) need not run; when it may, they decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineScan {
    pub letters: (usize, usize),
    /// A byte below 0x20, DEL, or 0xC2 (which leads the C1 controls).
    pub control: bool,
    /// 0xE2 (which leads most bidi controls) or 0x9C (which ends U+061C).
    pub bidi: bool,
    /// An `h` or a `w` in either case: every link starts with `http` or `www.`.
    pub link: bool,
}

pub(crate) fn scan_line(b: &[u8]) -> LineScan {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = super::compact::avx2() {
        return wide::scan_line(simd, b);
    }
    LineScan {
        letters: narrow(b),
        control: true,
        bidi: true,
        link: true,
    }
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

/// `scan_line` thirty-two bytes at a time with AVX2. Letters alone took a quarter of the
/// instructions of `narrow` (callgrind, 10,000 reports: 75 million -> 19 million).
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::LineScan;
    use core::arch::x86_64::__m256i;
    use pulp::x86::V3;

    pub fn scan_line(simd: V3, b: &[u8]) -> LineScan {
        let [lead_bits, arabic_lead, lower, a, z, latin_first, latin_last] =
            [0xFC, 0xD8, 0x20, b'a', 25, 0xC3, 6].map(|c| pulp::cast::<_, __m256i>([c; 32]));
        let [below_space, del, c1_lead, bidi_lead, alm_end, h, w] =
            [0x1F, 0x7F, 0xC2, 0xE2, 0x9C, b'h', b'w'].map(|c| pulp::cast::<_, __m256i>([c; 32]));
        // The last bytes padded with spaces, which are none of what is looked for.
        let rest = &b[b.len() - b.len() % 32..];
        let mut last = [b' '; 32];
        last[..rest.len()].copy_from_slice(rest);
        let steps = b.len().div_ceil(32);
        // The closure is compiled for AVX2 only once inlined into pulp's function; with a
        // function of ours called inside it (as `narrow` once was), it was not, and each
        // intrinsic became a call.
        simd.vectorize(
            #[inline(always)]
            move || {
                let y = simd.avx2;
                let zero: __m256i = pulp::cast([0u8; 32]);
                let (mut control, mut bidi, mut link) = (zero, zero, zero);
                // Letters counted per byte lane (a match is -1: subtracted, it adds one),
                // the lanes summed before they can reach 256. A count per step through a
                // bit mask took three instructions more per class, and an iterator over
                // the runs and the padded last one more than all the counting.
                let (mut arabic, mut latin) = (0, 0);
                let (mut arabic_lanes, mut latin_lanes) = (zero, zero);
                let mut room = 255u32;
                let lanes_sum = |lanes: __m256i| -> usize {
                    let sums: [u64; 4] = pulp::cast(y._mm256_sad_epu8(lanes, zero));
                    sums.iter().sum::<u64>() as usize
                };
                for step in 0..steps {
                    let run = b.get(32 * step..32 * step + 32).map(<[u8; 32]>::try_from);
                    let v: __m256i = pulp::cast(match run {
                        Some(Ok(run)) => run,
                        _ => last,
                    });
                    let is = |c: __m256i| y._mm256_cmpeq_epi8(v, c);
                    let either = |p: __m256i, q: __m256i| y._mm256_or_si256(p, q);
                    // Unsigned `x < n` is `min(x, n - 1) == x`.
                    let below =
                        |x: __m256i, n: __m256i| y._mm256_cmpeq_epi8(y._mm256_min_epu8(x, n), x);
                    let lead = y._mm256_and_si256(v, lead_bits);
                    let is_arabic = y._mm256_cmpeq_epi8(lead, arabic_lead);
                    let folded = either(v, lower);
                    let ascii = y._mm256_sub_epi8(folded, a);
                    let accented = y._mm256_sub_epi8(v, latin_first);
                    let is_latin = either(below(ascii, z), below(accented, latin_last));
                    arabic_lanes = y._mm256_sub_epi8(arabic_lanes, is_arabic);
                    latin_lanes = y._mm256_sub_epi8(latin_lanes, is_latin);
                    room -= 1;
                    if room == 0 {
                        arabic += lanes_sum(arabic_lanes);
                        latin += lanes_sum(latin_lanes);
                        (arabic_lanes, latin_lanes, room) = (zero, zero, 255);
                    }
                    control = either(control, either(below(v, below_space), is(del)));
                    control = either(control, is(c1_lead));
                    bidi = either(bidi, either(is(bidi_lead), is(alm_end)));
                    let hw = y._mm256_cmpeq_epi8(folded, h);
                    link = either(link, either(hw, y._mm256_cmpeq_epi8(folded, w)));
                }
                let any = |m: __m256i| y._mm256_movemask_epi8(m) != 0;
                LineScan {
                    letters: (
                        arabic + lanes_sum(arabic_lanes),
                        latin + lanes_sum(latin_lanes),
                    ),
                    control: any(control),
                    bidi: any(bidi),
                    link: any(link),
                }
            },
        )
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
    fn a_line_said_to_hold_nothing_holds_nothing() {
        use crate::text::{sanitize, without_bidi_controls};
        let pieces = [
            "سبها",
            "Tripoli",
            " ",
            "\t",
            "\u{1b}[31m",
            "\u{85}",
            "\u{7f}",
            "\u{200f}",
            "\u{061c}",
            "\u{2067}",
            "https://a.ly/1",
            "www.x.ly",
            "HTTP://B.LY",
            "é",
            "ه",
        ];
        for (i, first) in pieces.iter().enumerate() {
            for second in &pieces[i..] {
                for pad in [0, 5, 29, 31, 32, 40, 5000] {
                    let line = format!("{}{first}{}{second}", "ا".repeat(pad), "x".repeat(pad));
                    let scan = scan_line(line.as_bytes());
                    assert_eq!(scan.letters, narrow(line.as_bytes()), "{line:?}");
                    if !scan.control {
                        assert!(
                            matches!(sanitize(&line), std::borrow::Cow::Borrowed(_)),
                            "{line:?}"
                        );
                    }
                    if !scan.bidi {
                        let bare = without_bidi_controls(&line);
                        assert!(matches!(bare, std::borrow::Cow::Borrowed(_)), "{line:?}");
                    }
                    if !scan.link {
                        assert!(url::find_inline_urls(&line).is_empty(), "{line:?}");
                        assert!(!url::is_url_line(&line), "{line:?}");
                    }
                }
            }
        }
        // And says so when it does, on a vector machine.
        #[cfg(target_arch = "x86_64")]
        if crate::corpus::compact::avx2().is_some() {
            let plain = scan_line("سبها Tripoli".repeat(5).as_bytes());
            assert!(!plain.control && !plain.bidi && !plain.link);
            assert!(scan_line(b"a\x1b").control && scan_line("a\u{200f}".as_bytes()).bidi);
            assert!(scan_line(b"see www.x.ly").link);
        }
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
