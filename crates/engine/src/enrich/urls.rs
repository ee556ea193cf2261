//! What the pipeline reads from URLs, fast: a page URL's query keys and a
//! referrer's scheme and host. An export holds hundreds of thousands of
//! distinct URLs (click ids make most landing URLs unique), and parsing each
//! with the `url` crate was most of the time spent classifying channels.
//!
//! Plain `http://` or `https://` URLs whose host is a simple domain are split
//! by hand. Anything else (another scheme or upper-case scheme, user info, a
//! port, whitespace, control characters or backslashes anywhere, an empty
//! label, a numeric last label, punycode, non-ASCII) goes to the `url` crate.
//! The results are the same either way; a property test checks that.

use url::form_urlencoded;

/// A URL the fast path understands: scheme, host and what follows the host.
struct Simple<'a> {
    scheme: &'static str,
    host: &'a str,
    rest: &'a str,
}

/// Splits a plain `http(s)://domain...` URL, or `None` for the `url` crate.
fn simple(url: &str) -> Option<Simple<'_>> {
    let (scheme, after) = if let Some(a) = url.strip_prefix("https://") {
        ("https", a)
    } else {
        ("http", url.strip_prefix("http://")?)
    };
    if crate::scan::any_byte(url.as_bytes(), |b| b <= b' ' || b == b'\\' || b >= 0x7f) {
        return None;
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let host = &after[..end];
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    };
    // The last label starts with a letter: no IPv4 address or number.
    let last_ok = host
        .rsplit('.')
        .next()
        .and_then(|l| l.bytes().next())
        .is_some_and(|b| b.is_ascii_alphabetic());
    (host.split('.').all(label_ok) && last_ok).then_some(Simple {
        scheme,
        host,
        rest: &after[end..],
    })
}

/// The query of what follows the host: after the first `?`, up to `#`.
fn query(rest: &str) -> Option<&str> {
    let q = rest.find('?')?;
    if rest.find('#').is_some_and(|h| h < q) {
        return None;
    }
    let query = &rest[q + 1..];
    Some(query.find('#').map_or(query, |h| &query[..h]))
}

/// Query keys of a URL, lower-cased (values are ignored).
pub fn query_keys(url: &str) -> Vec<String> {
    let mut keys = Vec::new();
    page_host_and_keys(url, |k| keys.push(k.to_string()));
    keys
}

/// A page URL's lower-case host (`None` when it has none or cannot be
/// parsed), as [`scheme_and_host`] gives it, calling `f` with each query
/// key, lower-cased, in order, without allocating for keys that are
/// already lower case: one parse for both.
pub fn page_host_and_keys(url: &str, mut f: impl FnMut(&str)) -> Option<String> {
    let Some(s) = simple(url) else {
        slow_query_keys(url).iter().for_each(|k| f(k));
        return slow_scheme_and_host(url).and_then(|(_, host)| host);
    };
    // As `form_urlencoded::parse` splits pairs, but only keys are decoded:
    // checkout URLs carry long values nobody reads.
    let pairs = query(s.rest).into_iter().flat_map(|q| q.split('&'));
    for pair in pairs.filter(|p| !p.is_empty()) {
        let raw = pair.split('=').next().unwrap_or(pair);
        let key: std::borrow::Cow<str> = if raw.contains(['%', '+']) {
            form_urlencoded::parse(raw.as_bytes())
                .next()
                .map_or(raw.into(), |(k, _)| k)
        } else {
            raw.into()
        };
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            f(&key.to_ascii_lowercase());
        } else {
            f(&key);
        }
    }
    Some(s.host.to_ascii_lowercase())
}

fn slow_query_keys(url: &str) -> Vec<String> {
    match url::Url::parse(url) {
        Ok(u) => u
            .query_pairs()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The scheme and lower-case host of a URL (`None` when it cannot be
/// parsed); the host is `None` for URLs without one.
pub fn scheme_and_host(url: &str) -> Option<(String, Option<String>)> {
    match simple(url) {
        Some(s) => Some((s.scheme.to_string(), Some(s.host.to_ascii_lowercase()))),
        None => slow_scheme_and_host(url),
    }
}

fn slow_scheme_and_host(url: &str) -> Option<(String, Option<String>)> {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str().map(|h| h.to_ascii_lowercase()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// URLs built from pieces real exports have, and the tricky ones.
    fn url() -> impl Strategy<Value = String> {
        let scheme = prop::sample::select(vec![
            "https://",
            "http://",
            "HTTPS://",
            "ftp://",
            "android-app://",
            "",
            "https:///",
        ]);
        let label = prop::sample::select(vec![
            "puffy",
            "com",
            "WWW",
            "l",
            "xn--bcher-kva",
            "xn--zz",
            "0x1f",
            "123",
            "a-b",
            "",
            "é",
            "exa mple",
            "m",
            "facebook",
            "co",
        ]);
        let host = prop::collection::vec(label, 1..4).prop_map(|l| l.join("."));
        let extra = prop::sample::select(vec!["", "", ":8080", ":99999", "@user", "\\x"]);
        let path =
            prop::sample::select(vec!["", "/", "/products/mattress", "/a b", "/p%20", "/#x"]);
        let query = prop::sample::select(vec![
            "",
            "?utm_source=google&gclid=abc",
            "?UTM_Medium=cpc&&a+b=%41&=x&k",
            "?fbclid=1#frag?gclid=2",
            "?x=é&%zz=1",
            "?q=a%2",
            "#top?utm_source=x",
        ]);
        (scheme, host, extra, path, query).prop_map(|(s, h, e, p, q)| format!("{s}{h}{e}{p}{q}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_paths_agree_with_the_url_crate(u in url()) {
            prop_assert_eq!(query_keys(&u), slow_query_keys(&u));
            prop_assert_eq!(scheme_and_host(&u), slow_scheme_and_host(&u));
            let host = slow_scheme_and_host(&u).and_then(|(_, host)| host);
            prop_assert_eq!(page_host_and_keys(&u, |_| {}), host);
        }
    }

    #[test]
    fn plain_urls_take_the_fast_path() {
        let s = simple("https://www.Puffy.com/p?gclid=1").unwrap();
        assert_eq!(
            (s.scheme, s.host, s.rest),
            ("https", "www.Puffy.com", "/p?gclid=1")
        );
        assert!(simple("https://127.0.0.1/").is_none());
        assert!(simple("https://user@puffy.com/").is_none());
        assert!(simple("https://puffy.com:8443/").is_none());
        assert_eq!(
            query_keys("https://puffy.com/?UTM_Source=x&gclid=2#a"),
            ["utm_source", "gclid"]
        );
        assert_eq!(query("/p#x?gclid=1"), None);
    }
}
