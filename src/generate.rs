//! Synthetic corpora for benchmarks and large-scale tests: Arabic and English reports
//! with datelines, source URLs and realistic lengths. Deterministic for a given seed.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

const AR_PLACES: &[&str] = &[
    "سبها",
    "درنة",
    "مصراتة",
    "بنغازي",
    "طرابلس",
    "غات",
    "أوباري",
    "زليتن",
    "الكفرة",
    "غريان",
    "طبرق",
    "سرت",
    "الزاوية",
    "البيضاء",
    "هون",
    "نالوت",
    "يفرن",
    "الخمس",
    "ترهونة",
    "جالو",
];
const EN_PLACES: &[&str] = &[
    "TRIPOLI", "BENGHAZI", "MISRATA", "SABHA", "DERNA", "TOBRUK", "SIRTE", "ZAWIYA", "GHAT",
];
const AR_WORDS: &[&str] = &[
    "أعلن",
    "المجلس",
    "البلدي",
    "عن",
    "افتتاح",
    "مركز",
    "صحي",
    "جديد",
    "في",
    "حي",
    "بعد",
    "أشهر",
    "من",
    "أعمال",
    "الصيانة",
    "وقال",
    "رئيس",
    "إن",
    "الطريق",
    "الساحلي",
    "مغلق",
    "بسبب",
    "الأمطار",
    "المواطنين",
    "الكهرباء",
    "المياه",
    "الوقود",
    "المدرسة",
    "الجامعة",
    "الطلاب",
    "المستشفى",
    "وزارة",
    "الصحة",
    "خلال",
    "الأسبوع",
    "القادم",
    "فى",
    "إطار",
    "خطة",
    "لتحسين",
    "الخدمات",
    "مدن",
    "الجنوب",
    "وأوضح",
    "أن",
    "الفريق",
    "باشر",
    "عمله",
    "منذ",
    "صباح",
    "اليوم",
    "القاعدة",
    "الشركة",
    "العامة",
    "المصرف",
    "السيولة",
    "الأسعار",
    "السوق",
    "المحلية",
    "الميناء",
    "شحنة",
    "القمح",
    "الطائرة",
    "الرحلات",
    "المطار",
    "الهلال",
    "الأحمر",
    "المساعدات",
    "العائلات",
    "و",
    "لا",
    "الأمن",
    "دوريات",
    "المرور",
    "البلدية",
    "العميد",
    "مؤتمر",
    "صحفي",
    "بيان",
    "مساء",
    "أمس",
    "مُخْتار",
    "الإعمار",
    "المنازل",
    "المتطوعين",
    "الشاطئ",
    "حملة",
    "الحرفيين",
    "المعرض",
];
const EN_WORDS: &[&str] = &[
    "the",
    "council",
    "said",
    "on",
    "Monday",
    "that",
    "road",
    "reopened",
    "after",
    "repairs",
    "residents",
    "water",
    "power",
    "cuts",
    "hospital",
    "school",
    "students",
    "bank",
    "cash",
    "shortage",
    "prices",
    "market",
    "port",
    "wheat",
    "shipment",
    "flights",
    "airport",
    "aid",
    "families",
    "police",
    "traffic",
    "municipality",
    "mayor",
    "statement",
    "officials",
    "week",
    "month",
    "local",
    "sources",
    "according",
    "to",
    "a",
    "of",
    "in",
    "and",
    "for",
    "with",
    "new",
    "plan",
    "project",
    "workers",
    "engineers",
    "fuel",
    "trucks",
    "protest",
    "ministry",
    "health",
];
const DOMAINS: &[&str] = &[
    "www.facebook.com",
    "alwasat-example.ly",
    "libyaherald-example.ly",
    "almarsad-news.ly",
    "twitter.com",
    "www.youtube.com",
    "news-example.ly",
];

/// A small, fast, deterministic random source (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn paragraph(rng: &mut Rng, words: &[&str], out: &mut String) {
    let target = rng.range(150, 600);
    let start = out.len();
    while out[start..].chars().count() < target {
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(rng.pick(words));
        if rng.below(14) == 0 {
            let _ = write!(out, " {}", 1990 + rng.below(35));
        }
    }
    out.push_str(if rng.below(3) == 0 { " ." } else { "." });
}

fn url(rng: &mut Rng, out: &mut String) {
    let domain = rng.pick(DOMAINS);
    if domain.contains("facebook") {
        let _ = write!(
            out,
            "https://{domain}/Page{}/posts/{}",
            rng.below(500),
            rng.next_u64() % 1_000_000
        );
    } else {
        let _ = write!(
            out,
            "https://{domain}/news/{}/{}",
            2010 + rng.below(16),
            rng.next_u64() % 100_000
        );
    }
}

/// One report in the text format; Arabic four times out of five.
pub fn report(rng: &mut Rng) -> String {
    let arabic = rng.below(5) != 0;
    let (places, words, dash) = if arabic {
        (AR_PLACES, AR_WORDS, "–")
    } else {
        (EN_PLACES, EN_WORDS, "-")
    };
    let mut out = String::with_capacity(4096);
    let paragraphs = rng.range(4, 10);
    for p in 0..paragraphs {
        if p == 0 && rng.below(5) != 0 {
            let _ = write!(out, "{} {dash} ", rng.pick(places));
        }
        paragraph(rng, words, &mut out);
        out.push('\n');
        if rng.below(3) == 0 {
            url(rng, &mut out);
            out.push('\n');
        }
    }
    out
}

/// The file name of report `i`: `NNNNNNN_<16 hex>.txt`.
pub fn report_name(i: usize, rng: &mut Rng) -> String {
    format!("{i:07}_{:016x}.txt", rng.next_u64())
}

/// Write `count` report files into `dir` (created if missing).
pub fn write_report_dir(dir: &Path, count: usize, seed: u64) -> io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(seed);
    let mut bytes = 0;
    for i in 0..count {
        let name = report_name(i, &mut rng);
        let text = report(&mut rng);
        bytes += text.len() as u64;
        std::fs::write(dir.join(name), text)?;
    }
    Ok(bytes)
}

/// Write `count` articles as one JSON Lines file.
pub fn write_jsonl(path: &Path, count: usize, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    let mut bytes = 0;
    for i in 0..count {
        let text = report(&mut rng);
        let line = serde_json::json!({ "id": format!("g{i:07}"), "text": text });
        let line = format!("{line}\n");
        bytes += line.len() as u64;
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Origin, parse_report};
    use std::sync::Arc;

    #[test]
    fn generated_reports_parse_with_realistic_shape() {
        let mut rng = Rng::new(7);
        let mut with_place = 0;
        for i in 0..200 {
            let text = report(&mut rng);
            let origin = Origin {
                path: Arc::from("g"),
                line: None,
            };
            let a = parse_report(text.as_bytes(), format!("{i}"), origin).expect("parses");
            assert!((4..=10).contains(&a.paragraph_count()));
            for p in a.text().paragraphs() {
                let n = p.text.chars().count();
                assert!((150..=700).contains(&n), "{n}");
            }
            with_place += usize::from(a.place.is_some());
        }
        assert!(with_place > 120, "{with_place}");
    }
}
