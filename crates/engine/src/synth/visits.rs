//! The visit simulator behind [`crate::synth`]: clients, channels, landing
//! pages, funnels and orders. Deterministic from the seed (SplitMix64).

use chrono::NaiveDate;
use serde_json::json;
use std::sync::Arc;

use crate::synth::{PaymentTruth, SynthConfig, Truth, VisitTruth};

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

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64) as usize]
    }

    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
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

    pub(crate) fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }

    pub(crate) fn hex(&mut self, n: usize) -> String {
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
    pub(crate) client: String,
    pub(crate) page_url: String,
    pub(crate) referrer: String,
    pub(crate) event: &'static str,
    pub(crate) data: String,
    pub(crate) ua: Arc<str>,
    /// First event of a human visit.
    pub is_landing: bool,
    /// From a bot.
    pub is_bot: bool,
    /// A shopper's return from the payment provider (keeps its client id,
    /// is never broken, so the truth about it stays exact).
    pub is_payment_return: bool,
}

impl RawEvent {
    /// A human page view that is not a landing: safe to break in tests
    /// without changing any visit, order or channel.
    pub fn is_plain_view(&self) -> bool {
        self.event == "page_viewed" && !self.is_landing && !self.is_bot && !self.is_payment_return
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

pub(crate) const HUMAN_UAS: &[(&str, f64)] = &[
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1", 0.30),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Mobile Safari/537.36", 0.18),
    ("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 0.10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36", 0.16),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15", 0.10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 0.05),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:134.0) Gecko/20100101 Firefox/134.0", 0.04),
    ("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1", 0.05),
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 0.02),
    // People whose browsers look a little like bots: a CUBOT phone and the
    // Facebook and Instagram in-app browsers.
    ("Mozilla/5.0 (Linux; Android 12; CUBOT P80 Build/SP1A.210812.016) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36", 0.01),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/496.0.0.41.107;FBBV/678105478;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.2;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]", 0.01),
    ("Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.135 Mobile Safari/537.36 Instagram 361.0.0.46.88 Android (34/14; 450dpi; 1080x2125; samsung; SM-A546B; a54x; s5e8835; en_US; 674675155)", 0.01),
];

pub(crate) const BOT_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    "python-requests/2.32.3",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "curl/8.5.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
];

pub(crate) const PAGES: &[&str] = &[
    "https://puffy.com/",
    "https://puffy.com/products/puffy-mattress",
    "https://puffy.com/products/puffy-lux-mattress",
    "https://puffy.com/products/puffy-cloud-mattress",
    "https://puffy.com/collections/mattresses",
    "https://puffy.com/products/cloud-pillow",
    "https://puffy.com/pages/reviews",
];

/// (item_id, name, variant, price)
pub(crate) const CATALOG: &[(&str, &str, &str, f64)] = &[
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

pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) ua: Arc<str>,
    email: String,
    last_end: i64,
}

/// The simulator state.
pub struct Generator<'a> {
    pub(crate) cfg: &'a SynthConfig,
    /// The random source (also used when writing files).
    pub rng: Rng,
    /// What was generated.
    pub truth: Truth,
    pub(crate) clients: Vec<Client>,
    pub(crate) orders_today: u32,
    /// Common user agents of the real-shape profile.
    ua_pool: Vec<Arc<str>>,
    /// Referring sites of the real-shape profile.
    pub(crate) source_pool: Vec<String>,
}

pub(crate) const MIN: i64 = 60_000;

/// The payment provider shoppers come back from (anonymised like every
/// third-party host in real exports).
pub const PAYMENT_PROVIDER: &str = "https://source-5e1f0ca7.com/";

/// Share of orders paid through [`PAYMENT_PROVIDER`].
const PAYMENT_SHARE: f64 = 0.3;
pub(crate) const DAY: i64 = 86_400_000;

impl<'a> Generator<'a> {
    /// A simulator for `cfg`.
    pub fn new(cfg: &'a SynthConfig) -> Generator<'a> {
        Generator {
            cfg,
            rng: Rng::new(cfg.seed),
            truth: Truth::default(),
            clients: Vec::new(),
            orders_today: 0,
            ua_pool: Vec::new(),
            source_pool: Vec::new(),
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
            tail.ua = Arc::from(BOT_UAS[0]);
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
        let returning = if self.cfg.real_shape { 0.01 } else { 0.3 };
        if !self.clients.is_empty() && self.rng.chance(returning) {
            return self.rng.range(0, self.clients.len() as i64) as usize;
        }
        let id = format!(
            "{}-{}{}",
            start / 1000 - self.rng.range(0, 3600),
            self.rng.chars(
                12,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            ),
            self.cfg.id_suffix
        );
        let ua = match self.cfg.real_shape {
            true => self.real_user_agent(),
            false => Arc::from(*self.rng.weighted(HUMAN_UAS)),
        };
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
            self.clients[c].ua.clone(),
            self.clients[c].email.clone(),
        );
        let start = ts;
        self.truth.visits.push(VisitTruth {
            client_id: id.clone(),
            start: ts,
            channel,
            needs_referrer,
        });
        let real = self.cfg.real_shape;
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
            // Real browsers mostly send the shop's own pages without their
            // query.
            referrer: match real && referrer.starts_with("https://puffy.com") {
                true => referrer.split('?').next().unwrap_or_default().to_string(),
                false => referrer.to_string(),
            },
            event,
            data,
            ua: ua.clone(),
            is_landing: landing,
            is_bot: false,
            is_payment_return: false,
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
        let more = if self.cfg.real_shape { 0.06f64 } else { 0.55 };
        let views = 1 + (self.rng.f64().ln() / more.ln()).floor().min(6.0) as usize;
        for _ in 1..views {
            ts += self.rng.range(5_000, 240_000);
            let next = match self.cfg.real_shape {
                true => self.real_page(),
                false => self.rng.pick(PAGES).to_string(),
            };
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
            let query = match self.cfg.real_shape {
                true => self.checkout_query(),
                false => String::new(),
            };
            ts += self.rng.range(20_000, 180_000);
            out.push(ev(
                ts,
                &format!("{checkout}{query}"),
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
                // Some shoppers pay through the provider and come back to
                // the checkout host from it: usually within minutes,
                // sometimes after longer than a session timeout.
                let mut referrer = "https://puffy.com/";
                let via_provider = self.rng.chance(PAYMENT_SHARE);
                let away = match (via_provider, self.rng.chance(0.25)) {
                    (true, true) => self.rng.range(31 * MIN, 100 * MIN),
                    (true, false) => self.rng.range(MIN, 8 * MIN),
                    (false, _) => self.rng.range(60_000, 480_000),
                };
                ts += away;
                let data = self.order(day, &email);
                if via_provider {
                    referrer = PAYMENT_PROVIDER;
                    let mut back = ev(
                        ts,
                        &format!("{checkout}/processing{query}"),
                        PAYMENT_PROVIDER,
                        "page_viewed",
                        String::new(),
                        false,
                    );
                    back.is_payment_return = true;
                    out.push(back);
                    self.truth.payments.push(PaymentTruth {
                        client_id: id.clone(),
                        visit_start: start,
                        channel,
                        needs_referrer,
                        back: ts,
                        away,
                        revenue_cents: serde_json::from_str::<serde_json::Value>(&data)
                            .ok()
                            .and_then(|v| v["revenue"].as_f64())
                            .map_or(0, |r| (r * 100.0).round() as i64),
                    });
                    ts += self.rng.range(2_000, 20_000);
                }
                let mut done = ev(
                    ts,
                    &format!("{checkout}/thank-you{query}"),
                    referrer,
                    "checkout_completed",
                    data,
                    false,
                );
                done.is_payment_return = via_provider;
                out.push(done);
            }
        }
        self.clients[c].last_end = ts;
    }
}

/// The real-shape profile's pieces (see [`SynthConfig::real_shape`]).
impl Generator<'_> {
    /// A user agent from a long tail: mostly one of a few hundred common
    /// variants (the first ones far more often), sometimes one of its own.
    fn real_user_agent(&mut self) -> Arc<str> {
        if self.ua_pool.is_empty() {
            self.ua_pool = (0..250)
                .map(|_| Arc::from(self.fresh_user_agent()))
                .collect();
        }
        if self.rng.chance(0.075) {
            return Arc::from(self.fresh_user_agent());
        }
        let skewed = self.rng.f64().powi(3) * self.ua_pool.len() as f64;
        self.ua_pool[(skewed as usize).min(self.ua_pool.len() - 1)].clone()
    }

    /// One user agent with its own versions, device and app build.
    fn fresh_user_agent(&mut self) -> String {
        let (major, build, patch) = (
            self.rng.range(118, 134),
            self.rng.range(5000, 7000),
            self.rng.range(10, 250),
        );
        match self.rng.range(0, 5) {
            0 => format!(
                "Mozilla/5.0 (iPhone; CPU iPhone OS {}_{} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{}.{} Mobile/15E148 Safari/604.1",
                self.rng.range(15, 19),
                self.rng.range(0, 7),
                self.rng.range(15, 19),
                self.rng.range(0, 7)
            ),
            1 => format!(
                "Mozilla/5.0 (Linux; Android {}; SM-{}{}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.{build}.{patch} Mobile Safari/537.36",
                self.rng.range(10, 15),
                *self.rng.pick(&["A", "G", "S", "N", "F"]),
                self.rng.range(100, 999)
            ),
            2 => format!(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_{} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/{}.0.0.{}.{};FBBV/{};FBDV/iPhone{},{};FBMD/iPhone;FBSN/iOS;FBSV/18.{};FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]",
                self.rng.range(0, 4),
                self.rng.range(440, 500),
                self.rng.range(10, 60),
                self.rng.range(100, 120),
                self.rng.range(600_000_000, 700_000_000),
                self.rng.range(12, 17),
                self.rng.range(1, 4),
                self.rng.range(0, 4)
            ),
            3 => format!(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.{build}.{patch} Safari/537.36"
            ),
            _ => format!(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.{build}.{patch} Safari/537.36{}",
                if self.rng.chance(0.2) { format!(" Edg/{major}.0.{build}.{patch}") } else { String::new() }
            ),
        }
    }

    /// A shop page; product pages often carry a variant and the shop
    /// search's tracking keys.
    fn real_page(&mut self) -> String {
        let page = *self.rng.pick(PAGES);
        if page.contains("/products/") && self.rng.chance(0.6) {
            format!(
                "{page}?variant={}&_pos={}&_sid={}&_ss=r",
                self.rng.range(40_000_000_000_000, 49_999_999_999_999),
                self.rng.range(1, 13),
                self.rng.hex(9).to_ascii_lowercase()
            )
        } else {
            page.to_string()
        }
    }

    /// The query a real checkout URL carries through the purchase.
    fn checkout_query(&mut self) -> String {
        format!(
            "?_r={}&auto_redirect=false&edge_redirect=true&skip_shop_pay=true&locale=en-US&_ga=2.{}.{}.{}&_gl=1*{}*_gcl_au*{}",
            self.rng.hex(24).to_ascii_lowercase(),
            self.rng.range(100_000_000, 999_999_999),
            self.rng.range(100_000_000, 999_999_999),
            self.rng.range(1_700_000_000, 1_750_000_000),
            self.rng.hex(8).to_ascii_lowercase(),
            self.rng.hex(20)
        )
    }
}
