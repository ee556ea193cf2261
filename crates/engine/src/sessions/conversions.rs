//! Conversions: one per `transaction_id` (the earliest order of a reused id,
//! as in the quality stage), with revenue, items, client, session and
//! device; and identity stitching of client ids that share an email hash.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::enrich::{Device, UserAgents};
use crate::ingest::Dataset;
use crate::model::{EventKind, Sym, NONE};
use crate::sessions::sessionize::Sessions;

/// One order that counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Index of its `checkout_completed` event.
    pub event: u32,
    /// Transaction id.
    pub transaction_id: Sym,
    /// Client id, or [`NONE`].
    pub client: Sym,
    /// Session index, or [`NONE`] (no client id, or a bot).
    pub session: u32,
    /// Epoch ms.
    pub ts: i64,
    /// Revenue in cents.
    pub revenue_cents: i64,
    /// Line items.
    pub items: u32,
    /// Device of the buyer.
    pub device: Device,
}

/// Builds the conversions and records orders and revenue on their sessions.
/// `excluded` holds the event indices of duplicate-transaction copies.
pub fn conversions(
    ds: &Dataset,
    excluded: &FxHashSet<usize>,
    sessions: &mut Sessions,
    uas: &UserAgents,
) -> Vec<Conversion> {
    let mut out = Vec::new();
    for (i, e) in ds.events.iter().enumerate() {
        if e.kind != EventKind::CheckoutCompleted || excluded.contains(&i) {
            continue;
        }
        let order = &ds.orders[e.payload as usize];
        let session = sessions.of_event[i];
        if let Some(s) = sessions.sessions.get_mut(session as usize) {
            s.orders += 1;
            s.revenue_cents += order.revenue_cents;
        }
        out.push(Conversion {
            event: i as u32,
            transaction_id: order.transaction_id,
            client: e.client,
            session,
            ts: e.ts,
            revenue_cents: order.revenue_cents,
            items: order.items.len() as u32,
            device: uas.get(e.user_agent).map_or(Device::Other, |u| u.device),
        });
    }
    out
}

/// Maps each client id to its person: with stitching, client ids that share
/// an email hash (from the popup or an order) are one person, named by its
/// earliest-seen client id; without, each client is its own person.
#[derive(Debug, Clone, Default)]
pub struct Persons {
    parent: FxHashMap<Sym, Sym>,
}

impl Persons {
    /// Links clients through shared email hashes.
    pub fn stitch(ds: &Dataset) -> Persons {
        let mut persons = Persons::default();
        let mut by_email: FxHashMap<Sym, Sym> = FxHashMap::default();
        for e in &ds.events {
            if e.client == NONE {
                continue;
            }
            let email = match e.kind {
                EventKind::EmailFilledOnPopup => e.payload,
                EventKind::CheckoutCompleted => ds.orders[e.payload as usize].email,
                _ => NONE,
            };
            if email == NONE {
                continue;
            }
            match by_email.get(&email) {
                Some(&other) => persons.union(other, e.client),
                None => {
                    by_email.insert(email, e.client);
                }
            }
        }
        persons
    }

    fn find(&self, mut c: Sym) -> Sym {
        while let Some(&p) = self.parent.get(&c) {
            if p == c {
                break;
            }
            c = p;
        }
        c
    }

    fn union(&mut self, a: Sym, b: Sym) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The earlier-seen client (smaller symbol) names the person.
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent.insert(child, root);
            self.parent.entry(root).or_insert(root);
        }
    }

    /// The person of a client (itself when not linked).
    pub fn of(&self, client: Sym) -> Sym {
        self.find(client)
    }

    /// Client ids linked to another client id.
    pub fn linked_clients(&self) -> usize {
        self.parent.iter().filter(|(c, p)| c != p).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest;

    #[test]
    fn clients_sharing_an_email_are_one_person() {
        let csv = "client_id,page_url,timestamp,event_name,event_data,user_agent\n\
            a,https://puffy.com/,2025-02-23T10:00:00Z,email_filled_on_popup,\"{\"\"user_email\"\":\"\"h1\"\"}\",ua\n\
            b,https://puffy.com/,2025-02-23T11:00:00Z,checkout_completed,\"{\"\"transaction_id\"\":\"\"T\"\",\"\"revenue\"\":5,\"\"user_email\"\":\"\"h1\"\"}\",ua\n\
            c,https://puffy.com/,2025-02-23T12:00:00Z,email_filled_on_popup,\"{\"\"user_email\"\":\"\"h2\"\"}\",ua\n";
        let ds = ingest([("e.csv", csv.as_bytes())]);
        let p = Persons::stitch(&ds);
        let sym = |s: &str| {
            ds.events
                .iter()
                .find(|e| ds.strings.get(e.client) == s)
                .unwrap()
                .client
        };
        assert_eq!(p.of(sym("b")), sym("a"));
        assert_eq!(p.of(sym("a")), sym("a"));
        assert_eq!(p.of(sym("c")), sym("c"));
        assert_eq!(p.linked_clients(), 1);
    }
}
