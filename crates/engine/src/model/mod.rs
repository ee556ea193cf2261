//! The compact, typed event model shared by every stage.
//!
//! Strings that repeat (client ids, URLs, user agents, transaction ids,
//! email hashes) are interned once into a [`Strings`] table and events hold
//! 32-bit [`Sym`]s, so an event is a few dozen bytes whatever its URLs.

use serde::{Deserialize, Serialize};

mod index;

/// An interned string: an index into [`Strings`].
pub type Sym = u32;

/// The symbol of an absent or empty value.
pub const NONE: Sym = u32::MAX;

/// The interning table: each distinct string stored once.
///
/// The strings' bytes are copied one after another into chunks of about a
/// megabyte, and `spans` says where each one is (a symbol is a position in
/// it, in the order first interned); `index` finds a string's symbol by its
/// hash ([`index::Index`]). Against a list of
/// `Arc<str>`, one allocation a string, a string takes 12 bytes besides its
/// own instead of about 48 (natively; about 24 in the page's 32-bit
/// memory): at 100 copies of an export, 3.4 million strings, mostly client
/// ids. The strings a stretch of events refers to lie close together, so
/// writing the events table reaches fewer cache lines: `puffy run` at 100
/// copies 8.0 → 7.2 s, at 10 copies 700 → 666 ms (medians, alternating).
#[derive(Debug, Clone)]
pub struct Strings {
    index: index::Index,
    spans: Vec<Span>,
    chunks: Vec<String>,
    /// Bytes of a chunk ([`CHUNK_BYTES`]; a longer string has its own).
    chunk_bytes: usize,
}

/// Where a string is: its chunk, and its bytes in it.
#[derive(Debug, Clone, Copy)]
struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Bytes of a chunk of [`Strings`].
const CHUNK_BYTES: usize = 1 << 20;

impl Default for Strings {
    fn default() -> Self {
        Strings {
            index: index::Index::default(),
            spans: Vec::new(),
            chunks: Vec::new(),
            chunk_bytes: CHUNK_BYTES,
        }
    }
}

/// The hash `index` files a string under (seeded: [`crate::hashing`]).
fn hash(s: &str) -> u64 {
    crate::hashing::hash_text(s.as_bytes())
}

/// The string at `span`.
fn text<'a>(chunks: &'a [String], span: &Span) -> &'a str {
    let start = span.start as usize;
    &chunks[span.chunk as usize][start..start + span.len as usize]
}

impl Strings {
    /// Makes room for `n` more distinct strings.
    pub fn reserve(&mut self, n: usize) {
        let (spans, chunks) = (&self.spans, &self.chunks);
        self.index
            .reserve(n, |sym| hash(text(chunks, &spans[sym as usize])));
        self.spans.reserve(n);
    }

    /// The symbol of `s`, adding it if new. The empty string is [`NONE`].
    pub fn intern(&mut self, s: &str) -> Sym {
        self.intern_hashed(s, hash(s))
    }

    /// [`Strings::intern`] of each of a row's fields: their places in the
    /// index are fetched from memory together first, not one after the
    /// other.
    pub fn intern_row<const N: usize>(&mut self, fields: [&str; N]) -> [Sym; N] {
        let hashes = fields.map(hash);
        for &h in &hashes {
            self.index.touch(h);
        }
        std::array::from_fn(|i| self.intern_hashed(fields[i], hashes[i]))
    }

    /// [`Strings::intern`] of every string of `strings`, in order, with
    /// room made for them first; the place of each is fetched from memory
    /// a few strings ahead.
    pub fn intern_all<'a>(&mut self, strings: impl IntoIterator<Item = &'a str>) -> Vec<Sym> {
        const AHEAD: usize = 8;
        let mut strings = strings.into_iter().map(|s| (s, hash(s)));
        self.reserve(strings.size_hint().0);
        let mut waiting: std::collections::VecDeque<(&str, u64)> =
            strings.by_ref().take(AHEAD).collect();
        for &(_, h) in &waiting {
            self.index.touch(h);
        }
        let mut symbols = Vec::with_capacity(waiting.len() + strings.size_hint().0);
        while let Some((s, h)) = waiting.pop_front() {
            if let Some((next, next_hash)) = strings.next() {
                self.index.touch(next_hash);
                waiting.push_back((next, next_hash));
            }
            symbols.push(self.intern_hashed(s, h));
        }
        symbols
    }

    /// The symbol of `s`, whose hash is `hash`, added if new ([`NONE`]
    /// for the empty string).
    fn intern_hashed(&mut self, s: &str, hash: u64) -> Sym {
        if s.is_empty() {
            return NONE;
        }
        let (spans, chunks) = (&self.spans, &self.chunks);
        let new = spans.len() as Sym;
        let found = self.index.find_or_add(
            hash,
            |sym| text(chunks, &spans[sym as usize]) == s,
            new,
            |sym| self::hash(text(chunks, &spans[sym as usize])),
        );
        found.unwrap_or_else(|| {
            let span = self.store(s);
            self.spans.push(span);
            new
        })
    }

    /// Copies `s` into the last chunk, or a new one when it does not fit.
    fn store(&mut self, s: &str) -> Span {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= s.len());
        if !fits {
            self.chunks
                .push(String::with_capacity(s.len().max(self.chunk_bytes)));
        }
        let chunk = self.chunks.len() - 1;
        let bytes = &mut self.chunks[chunk];
        let start = bytes.len();
        bytes.push_str(s);
        Span {
            chunk: chunk as u32,
            start: start as u32,
            len: s.len() as u32,
        }
    }

    /// Every string, in the order it was first interned.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|span| text(&self.chunks, span))
    }

    /// The string of `sym` (empty for [`NONE`]).
    pub fn get(&self, sym: Sym) -> &str {
        self.spans
            .get(sym as usize)
            .map_or("", |span| text(&self.chunks, span))
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// The five event kinds a storefront export carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `page_viewed`
    PageViewed,
    /// `email_filled_on_popup`
    EmailFilledOnPopup,
    /// `product_added_to_cart`
    ProductAddedToCart,
    /// `checkout_started`
    CheckoutStarted,
    /// `checkout_completed`
    CheckoutCompleted,
}

impl EventKind {
    /// Every kind, in funnel order.
    pub const ALL: [EventKind; 5] = [
        EventKind::PageViewed,
        EventKind::EmailFilledOnPopup,
        EventKind::ProductAddedToCart,
        EventKind::CheckoutStarted,
        EventKind::CheckoutCompleted,
    ];

    /// The name used in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PageViewed => "page_viewed",
            EventKind::EmailFilledOnPopup => "email_filled_on_popup",
            EventKind::ProductAddedToCart => "product_added_to_cart",
            EventKind::CheckoutStarted => "checkout_started",
            EventKind::CheckoutCompleted => "checkout_completed",
        }
    }

    /// Parses an export's event name (exact, lower case).
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One accepted event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the Unix epoch, UTC.
    pub ts: i64,
    /// Cookie id, or [`NONE`].
    pub client: Sym,
    /// Page URL, or [`NONE`].
    pub page_url: Sym,
    /// Referrer URL, or [`NONE`] (empty or column missing).
    pub referrer: Sym,
    /// User agent, or [`NONE`].
    pub user_agent: Sym,
    /// What happened.
    pub kind: EventKind,
    /// Index of the input file in [`crate::ingest::Dataset::files`].
    pub file: u32,
    /// 1-based line of the row in its file.
    pub line: u32,
    /// For `checkout_completed`: index into [`crate::ingest::Dataset::orders`];
    /// for `email_filled_on_popup`: the email hash symbol; else [`NONE`].
    pub payload: u32,
}

/// One line item of an order; every field may be null in real exports.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Item {
    /// `item_id`
    pub item_id: Option<String>,
    /// `item_name`
    pub item_name: Option<String>,
    /// `item_variant`
    pub item_variant: Option<String>,
    /// `quantity`
    pub quantity: Option<f64>,
    /// `item_price`
    pub item_price: Option<f64>,
}

/// The typed `event_data` of a `checkout_completed` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// `transaction_id` (interned).
    pub transaction_id: Sym,
    /// `revenue` in cents (integer and decimal revenues are both exact to the cent).
    pub revenue_cents: i64,
    /// Line items.
    pub items: Vec<Item>,
    /// SHA-256 hash of the buyer's email, or [`NONE`].
    pub email: Sym,
}

/// What an order's line items add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemsTotal {
    /// Σ price × quantity, in cents.
    Cents(i64),
    /// An item has an empty price or quantity.
    MissingFields,
    /// An item has a negative price or quantity, or one past
    /// [`crate::limits::MAX_ITEM_QUANTITY`] units or the order cap.
    Implausible,
}

impl Order {
    /// Σ price × quantity over the items. Prices and quantities are bounded
    /// first, so the sum cannot overflow: an item with a negative or absurd
    /// value makes the whole total [`ItemsTotal::Implausible`].
    pub fn items_total(&self, max_order_cents: i64) -> ItemsTotal {
        let mut total = 0i64;
        let mut missing = false;
        for item in &self.items {
            match (item.item_price, item.quantity) {
                (Some(p), Some(q)) => {
                    let cents = (p * q * 100.0).round();
                    if p < 0.0
                        || !(0.0..=crate::limits::MAX_ITEM_QUANTITY).contains(&q)
                        || cents > max_order_cents as f64
                    {
                        return ItemsTotal::Implausible;
                    }
                    total = total.saturating_add(cents as i64);
                }
                _ => missing = true,
            }
        }
        if missing {
            ItemsTotal::MissingFields
        } else {
            ItemsTotal::Cents(total)
        }
    }
}

/// Formats cents as a decimal amount with two places (`-12.5` → `-12.50`).
pub fn cents_to_string(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The UTC calendar day of an epoch-milliseconds timestamp.
pub fn day_of(ts: i64) -> chrono::NaiveDate {
    let days = ts.div_euclid(86_400_000);
    chrono::NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32)
        .unwrap_or(chrono::NaiveDate::MIN)
}

/// An epoch-milliseconds timestamp as ISO-8601 UTC with milliseconds
/// (`2025-02-23T00:00:01.750Z`). Digits are written by hand: this runs once
/// per row of the largest tables.
pub fn format_ts(ts: i64) -> String {
    let mut out = Vec::with_capacity(24);
    write_ts(ts, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends [`format_ts`]'s text to `out`.
pub fn write_ts(ts: i64, out: &mut Vec<u8>) {
    use chrono::Datelike;
    let day = day_of(ts);
    let (y, mo, d) = (day.year(), day.month(), day.day());
    if (0..=9999).contains(&y) {
        out.extend_from_slice(&digits::<4>(y as u32));
    } else if chrono::DateTime::from_timestamp_millis(ts).is_none() {
        // Past chrono's calendar: nothing, as chrono's `format` wrote.
        return;
    } else if y < 0 {
        // chrono's `%Y` outside 0..=9999: a sign, and at least 4 digits.
        out.extend_from_slice(format!("-{:04}", y.unsigned_abs()).as_bytes());
    } else {
        out.extend_from_slice(format!("+{y}").as_bytes());
    }
    let ms_of_day = ts.rem_euclid(86_400_000) as u32;
    let (h, mi, sec, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    let mut b = *b"-00-00T00:00:00.000Z";
    for (at, v) in [(1, mo), (4, d), (7, h), (10, mi), (13, sec)] {
        b[at..at + 2].copy_from_slice(&digits::<2>(v));
    }
    b[16..19].copy_from_slice(&digits::<3>(ms));
    out.extend_from_slice(&b);
}

/// `v` in `N` decimal digits, zero-padded (the lowest `N` digits).
fn digits<const N: usize>(mut v: u32) -> [u8; N] {
    let mut b = [b'0'; N];
    for slot in b.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    b
}

/// A value per interned string, plus one for the empty string ([`NONE`]),
/// in a dense table indexed by symbol: for loops over every event that
/// look up something per page URL or per client, where a hash map lookup per
/// event was the cost. A slot holds `unseen` until it is set.
pub struct PerString<T> {
    values: Vec<T>,
    unseen: T,
}

impl<T: Copy + PartialEq> PerString<T> {
    /// A table for the symbols of `strings`, every slot `unseen`.
    pub fn new(strings: &Strings, unseen: T) -> PerString<T> {
        PerString {
            values: vec![unseen; strings.len() + 1],
            unseen,
        }
    }

    fn index(&self, sym: Sym) -> usize {
        if sym == NONE {
            self.values.len() - 1
        } else {
            sym as usize
        }
    }

    /// The value of `sym`, made by `make` on first sight.
    pub fn get_or_insert_with(&mut self, sym: Sym, make: impl FnOnce() -> T) -> T {
        let i = self.index(sym);
        if self.values[i] == self.unseen {
            self.values[i] = make();
        }
        self.values[i]
    }

    /// The value of `sym` (`unseen` if never set).
    pub fn get(&self, sym: Sym) -> T {
        self.values[self.index(sym)]
    }

    /// Sets the value of `sym`.
    pub fn set(&mut self, sym: Sym, value: T) {
        let i = self.index(sym);
        self.values[i] = value;
    }
}

/// Cents as a float amount, for JSON.
pub fn cents_to_f64(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_string_slots_are_made_once_and_none_has_its_own() {
        let mut strings = Strings::default();
        let a = strings.intern("a");
        let mut table = PerString::new(&strings, 0u32);
        let mut made = 0;
        for _ in 0..3 {
            table.get_or_insert_with(a, || {
                made += 1;
                7
            });
        }
        assert_eq!((made, table.get(a)), (1, 7));
        assert_eq!(table.get(NONE), 0);
        table.set(NONE, 9);
        assert_eq!((table.get(NONE), table.get(a)), (9, 7));
    }

    #[test]
    fn interning_returns_the_same_symbol_and_empty_is_none() {
        let mut s = Strings::default();
        let a = s.intern("https://puffy.com/");
        assert_eq!(s.intern("https://puffy.com/"), a);
        assert_ne!(s.intern("https://puffy.com/cart"), a);
        assert_eq!(s.intern(""), NONE);
        assert_eq!(s.get(a), "https://puffy.com/");
        assert_eq!(s.get(NONE), "");
        assert_eq!(s.len(), 2);
    }

    proptest::proptest! {
        /// The table against a plain map from string to first position:
        /// the same symbols and strings, through growth (from nothing or
        /// from room made first), with chunks of a few bytes (strings that
        /// fill one, and longer ones that get their own); a few distinct
        /// values, so most calls find one. Each run of four words goes
        /// through one of the three ways in: one by one, as a row, as a
        /// list.
        #[test]
        fn interning_agrees_with_a_map(
            words in proptest::collection::vec("[a-d]{0,3}|[a-d]{6,12}", 0..400),
            ways in proptest::collection::vec(0u8..3, 100),
            chunk_bytes in 1usize..16,
            room in 0usize..50,
        ) {
            let mut table = Strings { chunk_bytes, ..Strings::default() };
            table.reserve(room);
            let mut model: std::collections::HashMap<&str, Sym> = Default::default();
            let mut order: Vec<&str> = Vec::new();
            for (row, &way) in words.chunks(4).zip(&ways) {
                let syms = match (way, row) {
                    (1, [a, b, c, d]) => table.intern_row([a, b, c, d].map(String::as_str)).to_vec(),
                    (2, _) => table.intern_all(row.iter().map(String::as_str)),
                    _ => row.iter().map(|w| table.intern(w)).collect(),
                };
                for (w, sym) in row.iter().zip(syms) {
                    let want = if w.is_empty() {
                        NONE
                    } else {
                        *model.entry(w).or_insert_with(|| {
                            order.push(w);
                            (order.len() - 1) as Sym
                        })
                    };
                    proptest::prop_assert_eq!(sym, want);
                }
            }
            proptest::prop_assert_eq!(table.len(), order.len());
            for (i, w) in order.iter().enumerate() {
                proptest::prop_assert_eq!(table.get(i as Sym), *w);
            }
            proptest::prop_assert!(table.iter().eq(order.iter().copied()));
        }
    }

    #[test]
    fn cents_format_with_two_places() {
        assert_eq!(cents_to_string(28774400), "287744.00");
        assert_eq!(cents_to_string(-1250), "-12.50");
        assert_eq!(cents_to_string(5), "0.05");
    }

    #[test]
    fn days_and_timestamps_round_trip() {
        assert_eq!(day_of(1740268801750).to_string(), "2025-02-23");
        assert_eq!(day_of(1740268799999).to_string(), "2025-02-22");
        assert_eq!(day_of(-1).to_string(), "1969-12-31");
        assert_eq!(format_ts(1740268801750), "2025-02-23T00:00:01.750Z");
        assert_eq!(format_ts(1740355199999), "2025-02-23T23:59:59.999Z");
        // The last two lie outside the years 0..=9999 (the year gets a sign).
        for ts in [
            0i64,
            951_782_400_000,
            1_740_268_801_750,
            4_102_444_799_999,
            253_402_300_800_000 + 59 * 86_400_000 + 3_723_004,
            -62_167_219_200_000 - 306 * 86_400_000 - 1,
        ] {
            let chrono = chrono::DateTime::from_timestamp_millis(ts).unwrap();
            assert_eq!(
                format_ts(ts),
                chrono.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            );
        }
    }

    #[test]
    fn event_stays_compact() {
        assert!(
            std::mem::size_of::<Event>() <= 40,
            "{}",
            std::mem::size_of::<Event>()
        );
    }
}
