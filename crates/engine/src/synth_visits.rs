//! The visit simulator behind [`crate::synth`]: clients, channels, landing
//! pages, funnels and orders. Deterministic from the seed (SplitMix64).

use chrono::NaiveDate;
use serde_json::json;

use crate::synth::{DuplicateTruth, SynthConfig, Truth, VisitTruth};

/// SplitMix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform integer in [lo, hi).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo).max(1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64) as usize]
    }

    fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.f64() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }

    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }

    fn hex(&mut self, n: usize) -> String {
        self.chars(n, b"0123456789ABCDEF")
    }
}

/// One generated row before it is written.
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// Epoch ms.
    pub ts: i64,
    /// UTC day of `ts`.
    pub day: NaiveDate,
    client: String,
    page_url: String,
    referrer: String,
    event: &'static str,
    data: String,
    ua: &'static str,
    /// First event of a human visit.
    pub is_landing: bool,
    /// From a bot.
    pub is_bot: bool,
}

impl RawEvent {
    /// A human page view that is not a landing: safe to break in tests
    /// without changing any visit, order or channel.
    pub fn is_plain_view(&self) -> bool {
        self.event == "page_viewed" && !self.is_landing && !self.is_bot
    }

    /// The seven canonical fields.
    pub fn fields(&self) -> [String; 7] {
        [
            self.client.clone(),
            self.page_url.clone(),
            self.referrer.clone(),
            crate::model::format_ts(self.ts),
            self.event.to_string(),
            self.data.clone(),
            self.ua.to_string(),
        ]
    }
}

const HUMAN_UAS: &[(&str, f64)] = &[
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1", 0.30),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Mobile Safari/537.36", 0.18),
    ("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 0.10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36", 0.16),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15", 0.10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 0.05),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:134.0) Gecko/20100101 Firefox/134.0", 0.04),
    ("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1", 0.05),
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 0.02),
];

const BOT_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    "python-requests/2.32.3",
];

const PAGES: &[&str] = &[
    "https://puffy.com/",
    "https://puffy.com/products/puffy-mattress",
    "https://puffy.com/products/puffy-lux-mattress",
    "https://puffy.com/products/puffy-cloud-mattress",
    "https://puffy.com/collections/mattresses",
    "https://puffy.com/products/cloud-pillow",
    "https://puffy.com/pages/reviews",
];

/// (item_id, name, variant, price)
const CATALOG: &[(&str, &str, &str, f64)] = &[
    (
        "10Q-CLOUD",
        "Cloud Mattress",
        "Queen - (60\"W x 80\"L)",
        1149.0,
    ),
    (
        "PUFFY-Q",
        "Puffy Mattress",
        "Queen - (60\"W x 80\"L)",
        1349.0,
    ),
    (
        "LUX-K",
        "Puffy Lux Mattress",
        "King - (76\"W x 80\"L)",
        1849.0,
    ),
    ("PILLOW-STD", "Cloud Pillow", "Standard", 89.0),
    ("PROTECT-Q", "Mattress Protector", "Queen", 129.0),
    ("SHEETS-Q", "Sheet Set", "Queen - White", 159.0),
];

/// Channel names and weights; names match the default channel rules.
pub const CHANNELS: &[(&str, f64)] = &[
    ("Direct", 0.24),
    ("Organic Search", 0.22),
    ("Paid Search", 0.18),
    ("Paid Social", 0.10),
    ("Email", 0.08),
    ("Affiliate", 0.05),
    ("Referral", 0.05),
    ("Organic Social", 0.05),
    ("Other Campaign", 0.03),
];

struct Client {
    id: String,
    ua: &'static str,
    email: String,
    last_end: i64,
}

/// The simulator state.
pub struct Generator<'a> {
    cfg: &'a SynthConfig,
    /// The random source (also used when writing files).
    pub rng: Rng,
    /// What was generated.
    pub truth: Truth,
    clients: Vec<Client>,
    orders_today: u32,
}

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

impl<'a> Generator<'a> {
    /// A simulator for `cfg`.
    pub fn new(cfg: &'a SynthConfig) -> Generator<'a> {
        Generator {
            cfg,
            rng: Rng::new(cfg.seed),
            truth: Truth::default(),
            clients: Vec::new(),
            orders_today: 0,
        }
    }

    /// Generates every event of every day, sorted by time.
    pub fn run(&mut self) -> Vec<RawEvent> {
        let mut events = Vec::new();
        for d in 0..self.cfg.days {
            if self.cfg.missing_day == Some(d) {
                continue;
            }
            let day = self.cfg.start + chrono::Days::new(u64::from(d));
            let day_start = day
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp_millis();
            // Visits may run past midnight only into a day that has a file.
            let next_has_file = d + 1 < self.cfg.days && self.cfg.missing_day != Some(d + 1);
            let latest_start = day_start
                + if next_has_file {
                    DAY - 2 * MIN
                } else {
                    DAY - 90 * MIN
                };
            self.orders_today = 0;
            let target = (f64::from(self.cfg.events_per_day) * (1.0 - self.cfg.bot_share)) as usize;
            let before = events.len();
            let mut attempts = 0;
            while events.len() - before < target && attempts < target * 4 {
                attempts += 1;
                self.visit(d, day, day_start, latest_start, &mut events);
            }
            self.bots(day_start, &mut events);
        }
        self.duplicate_orders(&mut events);
        events.sort_by_key(|e| e.ts);
        if let Some(last) = events.last() {
            // The file that gets cut off ends with a bot hit, so no order is lost.
            let mut tail = last.clone();
            tail.ts += 1;
            tail.is_bot = true;
            tail.is_landing = false;
            tail.ua = BOT_UAS[0];
            tail.event = "page_viewed";
            tail.client.clear();
            tail.data.clear();
            tail.referrer.clear();
            tail.page_url = PAGES[0].to_string();
            events.push(tail);
        }
        for e in &mut events {
            e.day = crate::model::day_of(e.ts);
        }
        events
    }

    fn client(&mut self, start: i64) -> usize {
        if !self.clients.is_empty() && self.rng.chance(0.3) {
            return self.rng.range(0, self.clients.len() as i64) as usize;
        }
        let id = format!(
            "{}-{}",
            start / 1000 - self.rng.range(0, 3600),
            self.rng.chars(
                12,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            )
        );
        let ua = *self.rng.weighted(HUMAN_UAS);
        // Some people come back on a second device: same email, new cookie.
        let email = if !self.clients.is_empty() && self.rng.chance(0.06) {
            self.clients[self.rng.range(0, self.clients.len() as i64) as usize]
                .email
                .clone()
        } else {
            self.rng.hex(64).to_ascii_lowercase()
        };
        self.clients.push(Client {
            id,
            ua,
            email,
            last_end: i64::MIN / 2,
        });
        self.clients.len() - 1
    }

    fn visit(
        &mut self,
        d: u32,
        day: NaiveDate,
        day_start: i64,
        latest: i64,
        out: &mut Vec<RawEvent>,
    ) {
        let mut ts = day_start + self.rng.range(0, DAY);
        let c = self.client(ts);
        // Keep visits of one client apart, so one visit is one session.
        ts = ts.max(self.clients[c].last_end + 45 * MIN);
        if ts > latest {
            return;
        }
        let channel = *self.rng.weighted(CHANNELS);
        let (landing, referrer, needs_referrer) = self.landing(channel);
        let (id, ua, email) = (
            self.clients[c].id.clone(),
            self.clients[c].ua,
            self.clients[c].email.clone(),
        );
        self.truth.visits.push(VisitTruth {
            client_id: id.clone(),
            start: ts,
            channel,
            needs_referrer,
        });
        let ev = |ts: i64,
                  page: &str,
                  referrer: &str,
                  event: &'static str,
                  data: String,
                  landing: bool| RawEvent {
            ts,
            day,
            client: id.clone(),
            page_url: page.to_string(),
            referrer: referrer.to_string(),
            event,
            data,
            ua,
            is_landing: landing,
            is_bot: false,
        };
        let mut page = landing.clone();
        out.push(ev(
            ts,
            &landing,
            &referrer,
            "page_viewed",
            String::new(),
            true,
        ));
        if self.rng.chance(0.08) {
            ts += self.rng.range(5_000, 60_000);
            out.push(ev(
                ts,
                &page,
                &referrer,
                "email_filled_on_popup",
                json!({ "user_email": email }).to_string(),
                false,
            ));
        }
        let views = 1 + (self.rng.f64().ln() / 0.55f64.ln()).floor().min(6.0) as usize;
        for _ in 1..views {
            ts += self.rng.range(5_000, 240_000);
            let next = self.rng.pick(PAGES).to_string();
            out.push(ev(ts, &next, &page, "page_viewed", String::new(), false));
            page = next;
        }
        let cart_rate = match channel {
            "Email" => 0.20,
            "Paid Search" | "Direct" => 0.15,
            "Paid Social" | "Organic Social" => 0.07,
            _ => 0.11,
        };
        if !self.rng.chance(cart_rate) {
            self.clients[c].last_end = ts;
            return;
        }
        ts += self.rng.range(10_000, 120_000);
        out.push(ev(
            ts,
            &page,
            &page,
            "product_added_to_cart",
            String::new(),
            false,
        ));
        if self.rng.chance(0.55) {
            let token = self.rng.chars(24, b"abcdefghijklmnopqrstuvwxyz0123456789");
            let checkout = format!("https://checkout.puffy.com/checkouts/cn/{token}");
            ts += self.rng.range(20_000, 180_000);
            out.push(ev(
                ts,
                &checkout,
                "https://puffy.com/cart",
                "checkout_started",
                String::new(),
                false,
            ));
            let dip = if self.cfg.revenue_dip_day == Some(d) {
                0.2
            } else {
                1.0
            };
            if self.rng.chance(0.6 * dip) {
                ts += self.rng.range(60_000, 480_000);
                let data = self.order(day, &email);
                out.push(ev(
                    ts,
                    &format!("{checkout}/thank-you"),
                    "https://puffy.com/",
                    "checkout_completed",
                    data,
                    false,
                ));
            }
        }
        self.clients[c].last_end = ts;
    }
}

const CAMPAIGNS: &[&str] = &["7B4C8A", "1F2E3D", "A0B1C2", "5D6E7F", "C4CA42"];
const SEARCH_REFERRERS: &[&str] = &[
    "https://www.google.com/",
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://search.yahoo.com/",
    "android-app://com.google.android.googlequicksearchbox/",
];
const SOCIAL_REFERRERS: &[&str] = &[
    "https://www.facebook.com/",
    "https://l.instagram.com/",
    "https://www.reddit.com/",
    "https://www.youtube.com/",
    "android-app://com.facebook.katana/",
];
const MAIL_REFERRERS: &[&str] = &[
    "",
    "",
    "android-app://com.google.android.gm/",
    "https://mail.google.com/",
];

impl Generator<'_> {
    fn utm(&mut self) -> String {
        let (s, m, c) = (self.rng.hex(6), self.rng.hex(6), *self.rng.pick(CAMPAIGNS));
        format!("utm_source={s}&utm_medium={m}&utm_campaign={c}")
    }

    /// Landing URL, referrer, and whether only the referrer tells the channel.
    fn landing(&mut self, channel: &str) -> (String, String, bool) {
        let page = *self.rng.pick(PAGES);
        let option = if page.contains("/products/") && self.rng.chance(0.3) {
            format!("size={}&", self.rng.hex(6))
        } else {
            String::new()
        };
        let h = |rng: &mut Rng| rng.hex(6);
        let (query, referrer, needs_referrer) = match channel {
            "Organic Search" if self.rng.chance(0.2) => (
                format!("srsltid={}", h(&mut self.rng)),
                "https://www.google.com/".to_string(),
                false,
            ),
            "Organic Search" => (
                String::new(),
                self.rng.pick(SEARCH_REFERRERS).to_string(),
                true,
            ),
            "Paid Search" if self.rng.chance(0.15) => (
                format!("msclkid={}&{}", h(&mut self.rng), self.utm()),
                "https://www.bing.com/".to_string(),
                false,
            ),
            "Paid Search" => {
                let template = if self.rng.chance(0.5) {
                    format!(
                        "&oid={}&affid={}&sub1={}",
                        h(&mut self.rng),
                        h(&mut self.rng),
                        h(&mut self.rng)
                    )
                } else {
                    String::new()
                };
                let referrer = if self.rng.chance(0.8) {
                    "https://www.google.com/"
                } else {
                    ""
                };
                (
                    format!(
                        "gad_source={}&gclid={}{template}",
                        h(&mut self.rng),
                        h(&mut self.rng)
                    ),
                    referrer.to_string(),
                    false,
                )
            }
            "Paid Social" if self.rng.chance(0.2) => (
                format!("ttclid={}&{}", h(&mut self.rng), self.utm()),
                "https://www.tiktok.com/".to_string(),
                false,
            ),
            "Paid Social" => {
                let referrer =
                    *self
                        .rng
                        .pick(&["https://m.facebook.com/", "https://l.instagram.com/", ""]);
                (
                    format!("{}&fbclid={}", self.utm(), h(&mut self.rng)),
                    referrer.to_string(),
                    false,
                )
            }
            "Email" => (
                format!("{}&_kx={}", self.utm(), h(&mut self.rng)),
                self.rng.pick(MAIL_REFERRERS).to_string(),
                false,
            ),
            "Affiliate" => {
                let id = *self.rng.pick(&["irclickid", "im_ref", "sharedid"]);
                let referrer = if self.rng.chance(0.6) {
                    format!(
                        "https://source-{}.com/",
                        self.rng.hex(8).to_ascii_lowercase()
                    )
                } else {
                    String::new()
                };
                (
                    format!(
                        "{id}={}&oid={}&affid={}&sub1={}",
                        h(&mut self.rng),
                        h(&mut self.rng),
                        h(&mut self.rng),
                        h(&mut self.rng)
                    ),
                    referrer,
                    false,
                )
            }
            "Referral" => {
                let path = *self.rng.pick(&[
                    "",
                    "best-mattress-2025",
                    "reviews/puffy",
                    "forum/thread/8812",
                ]);
                (
                    String::new(),
                    format!(
                        "https://source-{}.com/{path}",
                        self.rng.hex(8).to_ascii_lowercase()
                    ),
                    true,
                )
            }
            "Organic Social" => (
                String::new(),
                self.rng.pick(SOCIAL_REFERRERS).to_string(),
                true,
            ),
            "Other Campaign" => (self.utm(), String::new(), false),
            _ => (String::new(), String::new(), false),
        };
        let query = format!("{option}{query}");
        let url = if query.is_empty() {
            page.to_string()
        } else {
            format!("{page}?{}", query.trim_end_matches('&'))
        };
        (url, referrer, needs_referrer)
    }

    /// The event_data of an order, with the catalogue's messiness.
    fn order(&mut self, day: NaiveDate, email: &str) -> String {
        self.orders_today += 1;
        let txn = format!("ORD-{}-{:03}", day.format("%Y%m%d"), self.orders_today);
        let mut items = Vec::new();
        let mut total = 0.0;
        let mattress = &CATALOG[self.rng.range(0, 3) as usize];
        let extras = self.rng.range(0, 3) as usize;
        let picks: Vec<&(&str, &str, &str, f64)> = std::iter::once(mattress)
            .chain((0..extras).map(|_| &CATALOG[self.rng.range(3, CATALOG.len() as i64) as usize]))
            .collect();
        let roll = self.rng.f64();
        let free = roll < 0.01;
        for (k, (id, name, variant, price)) in picks.into_iter().enumerate() {
            let qty = if k > 0 && self.rng.chance(0.3) {
                2.0
            } else {
                1.0
            };
            let price = if free { 0.0 } else { *price };
            total += price * qty;
            let shown_price = if (0.01..0.05).contains(&roll) && k == 0 {
                serde_json::Value::Null
            } else if (0.05..0.09).contains(&roll) && qty > 1.0 {
                json!(price * qty)
            } else {
                json!(price)
            };
            items.push(json!({ "item_id": id, "item_name": name, "item_variant": variant, "quantity": qty, "item_price": shown_price }));
        }
        let revenue = if (0.09..0.12).contains(&roll) {
            ((total * 0.85) * 100.0).round() / 100.0
        } else {
            total
        };
        self.truth.orders += 1;
        self.truth.revenue_cents += (revenue * 100.0).round() as i64;
        let revenue = if revenue.fract() == 0.0 {
            json!(revenue as i64)
        } else {
            json!(revenue)
        };
        json!({ "transaction_id": txn, "revenue": revenue, "items": items, "user_email": email })
            .to_string()
    }

    fn bots(&mut self, day_start: i64, out: &mut Vec<RawEvent>) {
        let n = (f64::from(self.cfg.events_per_day) * self.cfg.bot_share) as usize;
        let mut crawler = (String::new(), BOT_UAS[0]);
        for k in 0..n {
            if k % 6 == 0 {
                let id = if self.rng.chance(0.9) {
                    format!("{}-bot{}", day_start / 1000, self.rng.hex(9))
                } else {
                    String::new()
                };
                crawler = (id, *self.rng.pick(BOT_UAS));
            }
            let ts = day_start + self.rng.range(0, DAY - 90 * MIN);
            out.push(RawEvent {
                ts,
                day: crate::model::day_of(ts),
                client: crawler.0.clone(),
                page_url: self.rng.pick(PAGES).to_string(),
                referrer: String::new(),
                event: "page_viewed",
                data: String::new(),
                ua: crawler.1,
                is_landing: false,
                is_bot: true,
            });
        }
    }

    /// Re-sends some orders under the same transaction id, later the same day,
    /// half of them from another client, half with a different revenue.
    fn duplicate_orders(&mut self, out: &mut Vec<RawEvent>) {
        let orders: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].event == "checkout_completed")
            .collect();
        let n = self.cfg.duplicate_transactions as usize;
        if orders.is_empty() || n == 0 {
            return;
        }
        for k in 0..n.min(orders.len()) {
            let mut copy = out[orders[k * orders.len() / n]].clone();
            // Later the same day, so the copy lands in a file that exists.
            let day_end = (copy.ts.div_euclid(DAY) + 1) * DAY - 1000;
            copy.ts = (copy.ts + self.rng.range(60, 180) * MIN).min(day_end);
            copy.is_landing = false;
            if k % 2 == 1 && !self.clients.is_empty() {
                let other = &self.clients[self.rng.range(0, self.clients.len() as i64) as usize];
                copy.client = other.id.clone();
                copy.ua = other.ua;
            }
            let mut data: serde_json::Value = serde_json::from_str(&copy.data).unwrap_or_default();
            let mut revenue = data["revenue"].as_f64().unwrap_or(0.0);
            if k % 2 == 0 {
                revenue = (revenue * 50.0).round() / 100.0;
                data["revenue"] = json!(revenue);
                copy.data = data.to_string();
            }
            self.truth.duplicate_transactions.push(DuplicateTruth {
                transaction_id: data["transaction_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                excluded_revenue: revenue,
            });
            out.push(copy);
        }
    }
}
