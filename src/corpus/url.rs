//! Recognising URLs in report text. Reports only ever hold web links, so a small
//! scanner beats a general URL parser here: it must be fast and forgiving.

use std::ops::Range;

const SCHEMES: [&str; 2] = ["https://", "http://"];

/// True when `word` starts like a web link.
pub fn looks_like_url(word: &str) -> bool {
    scheme_len(word).is_some() || starts_with_ignore_case(word, "www.")
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn scheme_len(url: &str) -> Option<usize> {
    SCHEMES
        .iter()
        .find(|s| starts_with_ignore_case(url, s))
        .map(|s| s.len())
}

/// A line that holds nothing but one URL (surrounding blanks allowed).
pub fn is_url_line(line: &str) -> bool {
    let line = line.trim();
    looks_like_url(line) && !line.contains(char::is_whitespace) && host_range(line).len() > 2
}

/// Byte ranges of the URLs inside a paragraph, trailing punctuation excluded.
pub fn find_inline_urls(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    // Most paragraphs hold no link: a fast search rules them out. Two passes over the
    // bytes, for the first letters of the ways a link starts (a search for each of the
    // five ways was five passes).
    let bytes = text.as_bytes();
    let at = |i: usize, needles: &[&[u8]]| needles.iter().any(|n| bytes[i..].starts_with(n));
    let maybe = memchr::memchr2_iter(b'h', b'w', bytes).any(|i| at(i, &[b"http", b"www."]))
        || memchr::memchr2_iter(b'H', b'W', bytes).any(|i| at(i, &[b"HTTP", b"Http", b"WWW."]));
    if !maybe {
        return found;
    }
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let Some(off) = next_url_start(rest) else {
            break;
        };
        let begin = start + off;
        let len = text[begin..]
            .find(|c: char| {
                c.is_whitespace() || is_closing_quote(c) || crate::text::is_bidi_control(c)
            })
            .unwrap_or(text.len() - begin);
        let url = trim_trailing_punctuation(&text[begin..begin + len]);
        if host_range(url).len() > 2 {
            found.push(begin..begin + url.len());
        }
        start = begin + len.max(1);
    }
    found
}

fn next_url_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start
            && matches!(bytes[i], b'h' | b'H' | b'w' | b'W')
            && looks_like_url(&text[i..])
        {
            return Some(i);
        }
        i += 1;
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    None
}

fn is_closing_quote(c: char) -> bool {
    matches!(c, '"' | '»' | '”' | '“' | '«' | '<' | '>')
}

fn trim_trailing_punctuation(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().last() else {
            return url;
        };
        // A closing parenthesis belongs to the URL only when it opened one (Wikipedia links).
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '،' | '؛' | '؟' => true,
            ')' => url.matches('(').count() < url.matches(')').count(),
            ']' => url.matches('[').count() < url.matches(']').count(),
            _ => false,
        };
        if !strip {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

/// Byte range of the host part of a URL (no user info, no port).
pub(crate) fn host_range(url: &str) -> Range<usize> {
    let start = scheme_len(url).unwrap_or(0);
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host = &authority[host_start..];
    let host_len = host.find(':').unwrap_or(host.len());
    start + host_start..start + host_start + host_len
}

/// The domain of a URL without `www.`, lower-cased.
pub fn domain_of(url: &str) -> String {
    let host = url[host_range(url)].to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(rest) => rest.to_string(),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_lines() {
        assert!(is_url_line(
            "https://www.facebook.com/SabhaCouncil/posts/1001"
        ));
        assert!(is_url_line("  http://alwasat.ly/news/1  "));
        assert!(is_url_line("www.libyaobserver.ly/x"));
        assert!(!is_url_line("see https://x.ly/a for more"));
        assert!(!is_url_line("https://"));
        assert!(!is_url_line("سبها"));
    }

    #[test]
    fn inline_urls_in_each_case_a_link_starts_with() {
        for text in [
            "انظر http://a.ly/1 هنا",
            "see HTTP://A.LY/1 here",
            "see Https://a.ly/1 here",
            "see www.a.ly/1 here",
            "see WWW.A.LY/1 here",
        ] {
            assert_eq!(find_inline_urls(text).len(), 1, "{text}");
        }
        assert!(find_inline_urls("whether the hotel is open, WHO said").is_empty());
    }

    #[test]
    fn inline_urls_drop_trailing_punctuation() {
        let text = "نشر على الصفحة https://facebook.com/a/posts/9. ثم (http://x.ly/b) و http://en.wikipedia.org/wiki/A_(b)،";
        let urls: Vec<&str> = find_inline_urls(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            urls,
            [
                "https://facebook.com/a/posts/9",
                "http://x.ly/b",
                "http://en.wikipedia.org/wiki/A_(b)"
            ]
        );
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("https://user@WWW.Example.com:8080/p?q"),
            "example.com"
        );
        assert_eq!(domain_of("www.alwasat.ly/news"), "alwasat.ly");
    }

    #[test]
    fn bidi_controls_end_a_url() {
        let text = "رابط \u{202E}https://evil.example/moc.knab\u{202C} هنا";
        let urls: Vec<&str> = find_inline_urls(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(urls, ["https://evil.example/moc.knab"]);
    }
}
