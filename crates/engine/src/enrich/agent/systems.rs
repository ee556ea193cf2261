//! The rules that name the operating system: Windows and its version,
//! macOS and iOS devices, Linux and Android, smartphones, feature phones,
//! consoles and the rarer systems. They run after a browser rule matched,
//! or on their own when none did.

use super::dataset::*;
use super::{followed_by, version_byte, Agent};

pub(super) fn os_rules(a: &str, r: &mut Agent) -> bool {
    windows(a, r)
        || mac(a, r)
        || linux(a, r)
        || smartphone(a, r)
        || feature_phone_os(a, r)
        || appliance_os(a, r)
        || other_os(a, r)
}

fn windows(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Windows") {
        return false;
    }
    if a.contains("Xbox") {
        if a.contains("Xbox; Xbox One)") {
            return r.fill(&XBOX_ONE);
        }
        return r.fill(&XBOX360);
    }
    let Some(version) = windows_version(a) else {
        return r.system(&WIN);
    };
    let entry = match version {
        "NT 10.0" => WIN10,
        "NT 6.3" => WIN8_1,
        "NT 6.2" => WIN8,
        "NT 6.1" => WIN7,
        "NT 6.0" => WIN_VISTA,
        "NT 5.1" => WIN_XP,
        "NT 5.0" => WIN2000,
        "NT 4.0" => WIN_NT4,
        "98" => WIN98,
        "95" => WIN95,
        "CE" => WIN_CE,
        v if windows_phone(v) => WIN_PHONE,
        _ => return false,
    };
    r.system(&entry)
}

/// The first capture of `Windows ([ .a-zA-Z0-9]+)[;\\)]`.
fn windows_version(a: &str) -> Option<&str> {
    a.match_indices("Windows ").find_map(|(i, t)| {
        let rest = &a[i + t.len()..];
        let run = rest
            .bytes()
            .take_while(|&b| b == b' ' || b == b'.' || b.is_ascii_alphanumeric())
            .count();
        let closed = matches!(rest.as_bytes().get(run), Some(b';' | b'\\' | b')'));
        (run > 0 && closed).then(|| &rest[..run])
    })
}

/// `^Phone(?: OS)? ([.0-9]+)`.
fn windows_phone(v: &str) -> bool {
    ["Phone OS ", "Phone "].iter().any(|p| {
        v.strip_prefix(p)
            .is_some_and(|rest| rest.bytes().next().is_some_and(version_byte))
    })
}

fn mac(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Mac OS X") {
        return false;
    }
    let entry = if !a.contains("like Mac OS X") {
        OSX
    } else if a.contains("iPhone;") {
        IPHONE
    } else if a.contains("iPad;") {
        IPAD
    } else if a.contains("iPod") {
        IPOD
    } else {
        OSX
    };
    r.system(&entry)
}

fn linux(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Linux") {
        return false;
    }
    r.system(if a.contains("Android") {
        &ANDROID
    } else {
        &LINUX
    })
}

fn smartphone(a: &str, r: &mut Agent) -> bool {
    let entry = if a.contains("iPhone") {
        Some(IPHONE)
    } else if a.contains("iPad") {
        Some(IPAD)
    } else if a.contains("iPod") {
        Some(IPOD)
    } else if a.contains("Android") {
        Some(ANDROID)
    } else if a.contains("CFNetwork") {
        Some(IOS)
    } else if a.contains("BB10") {
        Some(BLACKBERRY10)
    } else if a.contains("BlackBerry") {
        Some(BLACKBERRY)
    } else {
        None
    };
    let entry = if r.name == FIREFOX.name && firefox_os(a) {
        Some(FIREFOX_OS)
    } else {
        entry
    };
    entry.is_some_and(|e| r.system(&e))
}

/// `^Mozilla/[.0-9]+ \((?:Mobile|Tablet);(?:.*;)? rv:([.0-9]+)\) Gecko/[.0-9]+ Firefox/[.0-9]+$`.
fn firefox_os(a: &str) -> bool {
    let Some(rest) = a.strip_prefix("Mozilla/") else {
        return false;
    };
    let Some(rest) = skip_version(rest).and_then(|r| r.strip_prefix(" (")) else {
        return false;
    };
    let Some(rest) = rest
        .strip_prefix("Mobile;")
        .or_else(|| rest.strip_prefix("Tablet;"))
    else {
        return false;
    };
    rest.match_indices(" rv:").any(|(i, t)| {
        let between = &rest[..i];
        let between_ok = between.is_empty() || (between.ends_with(';') && !between.contains('\n'));
        between_ok
            && skip_version(&rest[i + t.len()..])
                .and_then(|r| r.strip_prefix(") Gecko/"))
                .and_then(skip_version)
                .and_then(|r| r.strip_prefix(" Firefox/"))
                .and_then(skip_version)
                .is_some_and(str::is_empty)
    })
}

/// `s` after a leading `[.0-9]+`, if it has one.
fn skip_version(s: &str) -> Option<&str> {
    let n = s.bytes().take_while(|&b| version_byte(b)).count();
    (n > 0).then(|| &s[n..])
}

fn feature_phone_os(a: &str, r: &mut Agent) -> bool {
    if followed_by(a, "KDDI-", |b| !b"- /;()\"'".contains(&b)) {
        return r.system_of(&AU);
    }
    if willcom_terminal(a) {
        return r.system_of(&WILLCOM);
    }
    if a.contains("SymbianOS") {
        return r.system_of(&SYMBIAN);
    }
    // woothee fills these in and goes on looking (the fields stay).
    if a.contains("Google Wireless Transcoder") {
        r.fill(&TRANSCODER);
    }
    if a.contains("Naver Transcoder") {
        r.fill(&TRANSCODER);
    }
    false
}

/// `(?:WILLCOM|DDIPOCKET);[^/]+/([^ /;()]+)`.
fn willcom_terminal(a: &str) -> bool {
    ["WILLCOM;", "DDIPOCKET;"].iter().any(|t| {
        a.match_indices(t).any(|(i, _)| {
            let rest = &a.as_bytes()[i + t.len()..];
            match rest.iter().position(|&b| b == b'/') {
                Some(slash) if slash > 0 => {
                    rest.get(slash + 1).is_some_and(|b| !b" /;()".contains(b))
                }
                _ => false,
            }
        })
    })
}

fn appliance_os(a: &str, r: &mut Agent) -> bool {
    if a.contains("Nintendo DSi;") {
        return r.system_of(&NINTENDO_DSI);
    }
    if a.contains("Nintendo Wii;") {
        return r.system_of(&NINTENDO_WII);
    }
    false
}

fn other_os(a: &str, r: &mut Agent) -> bool {
    let entry = if a.contains("(Win98;") {
        WIN98
    } else if a.contains("Macintosh; U; PPC;") || a.contains("Mac_PowerPC") {
        MAC_OS
    } else if a.contains("X11; FreeBSD ") {
        BSD
    } else if a.contains("X11; CrOS ") {
        CHROME_OS
    } else {
        return false;
    };
    r.system(&entry)
}
