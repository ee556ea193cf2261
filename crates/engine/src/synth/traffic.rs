//! Traffic details of the simulator: landing pages and referrers per
//! channel, orders with the catalogue's messiness, bots, and re-sent
//! transaction ids.

use chrono::NaiveDate;
use serde_json::json;

use crate::synth::visits::{Generator, RawEvent, Rng, BOT_UAS, CATALOG, DAY, MIN, PAGES};
use crate::synth::DuplicateTruth;

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

    /// The anonymised name of a third-party site: a new one each time, or
    /// in the real-shape profile one of 500 (the first far more
    /// often), as real exports repeat their referring sites.
    fn source_host(&mut self) -> String {
        if !self.cfg.real_shape {
            return self.rng.hex(8).to_ascii_lowercase();
        }
        if self.source_pool.is_empty() {
            self.source_pool = (0..500)
                .map(|_| self.rng.hex(8).to_ascii_lowercase())
                .collect();
        }
        let skewed = self.rng.f64().powi(2) * self.source_pool.len() as f64;
        self.source_pool[(skewed as usize).min(self.source_pool.len() - 1)].clone()
    }

    /// Landing URL, referrer, and whether only the referrer tells the channel.
    pub(crate) fn landing(&mut self, channel: &str) -> (String, String, bool) {
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
                    format!("https://source-{}.com/", self.source_host())
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
                    format!("https://source-{}.com/{path}", self.source_host()),
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
    pub(crate) fn order(&mut self, day: NaiveDate, email: &str) -> String {
        self.orders_today += 1;
        let txn = format!(
            "ORD-{}-{:03}{}",
            crate::synth::compact_day(day),
            self.orders_today,
            self.cfg.id_suffix
        );
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

    pub(crate) fn bots(&mut self, day_start: i64, out: &mut Vec<RawEvent>) {
        let n = (f64::from(self.cfg.events_per_day) * self.cfg.bot_share) as usize;
        let mut crawler = (String::new(), BOT_UAS[0]);
        for k in 0..n {
            if k % 6 == 0 {
                let id = if self.rng.chance(0.9) {
                    format!(
                        "{}-bot{}{}",
                        day_start / 1000,
                        self.rng.hex(9),
                        self.cfg.id_suffix
                    )
                } else {
                    String::new()
                };
                crawler = (id, *self.rng.pick(BOT_UAS));
                if !crawler.0.is_empty() {
                    self.truth.bot_clients.insert(crawler.0.clone());
                }
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
                ua: std::sync::Arc::from(crawler.1),
                is_landing: false,
                is_bot: true,
                is_payment_return: false,
            });
        }
    }

    /// Re-sends some orders under the same transaction id, later the same day,
    /// half of them from another client, half with a different revenue.
    pub(crate) fn duplicate_orders(&mut self, out: &mut Vec<RawEvent>) {
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
                copy.ua = other.ua.clone();
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
