//! Typing `event_data`: the order of a `checkout_completed` and the email
//! hash of an `email_filled_on_popup`.
//!
//! Real exports are lenient JSON: `revenue` may be an integer, a decimal or
//! a numeric string; ids may be numbers; any item field may be null. Revenue
//! is kept in integer cents so sums reconcile exactly.

use serde_json::Value;

use crate::model::{Item, Order, Strings, Sym, NONE};

/// Why an order's `event_data` cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderError {
    /// Not JSON, or not a JSON object.
    InvalidJson(String),
    /// `transaction_id` missing, null or empty.
    NoTransactionId,
    /// `revenue` missing or null.
    NoRevenue,
    /// `revenue` below zero.
    Negative(f64),
    /// `revenue` not a finite number (`"NaN"`, `"Infinity"`, a word).
    NonFinite(String),
    /// `revenue` above the shop's per-order cap (in cents).
    AboveCap(f64, i64),
}

/// A JSON value as text: strings as-is, numbers printed, null/empty → None.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON value as a finite number: numbers, or strings that parse as one
/// (`"NaN"` and `"inf"` are not numbers here).
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// Parses the `event_data` of a `checkout_completed` event; revenue above
/// `max_cents` is refused.
pub fn parse_order(data: &str, strings: &mut Strings, max_cents: i64) -> Result<Order, OrderError> {
    let value: Value = serde_json::from_str(data).map_err(|e| {
        OrderError::InvalidJson(if data.is_empty() {
            "event_data is empty".to_string()
        } else {
            e.to_string()
        })
    })?;
    let obj = value
        .as_object()
        .ok_or_else(|| OrderError::InvalidJson("event_data is not a JSON object".into()))?;
    let txn = text(obj.get("transaction_id")).ok_or(OrderError::NoTransactionId)?;
    let revenue = match obj.get("revenue") {
        None | Some(Value::Null) => return Err(OrderError::NoRevenue),
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| OrderError::NonFinite(n.to_string()))?,
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => return Err(OrderError::NonFinite(s.clone())),
        },
        Some(other) => return Err(OrderError::NonFinite(other.to_string())),
    };
    if revenue < 0.0 {
        return Err(OrderError::Negative(revenue));
    }
    // Compared in cents as f64 before converting: `as i64` would saturate.
    if (revenue * 100.0).round() > max_cents as f64 {
        return Err(OrderError::AboveCap(revenue, max_cents));
    }
    let items = obj
        .get("items")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(parse_item).collect())
        .unwrap_or_default();
    let email = text(obj.get("user_email")).map_or(NONE, |e| strings.intern(&e));
    Ok(Order {
        transaction_id: strings.intern(&txn),
        revenue_cents: (revenue * 100.0).round() as i64,
        items,
        email,
    })
}

fn parse_item(v: &Value) -> Item {
    Item {
        item_id: text(v.get("item_id")),
        item_name: text(v.get("item_name")),
        item_variant: text(v.get("item_variant")),
        quantity: number(v.get("quantity")),
        item_price: number(v.get("item_price")),
    }
}

/// The `user_email` hash of an `email_filled_on_popup`; `None` when the JSON
/// is invalid. A valid object without an email gives `Some(NONE)`.
pub fn parse_email(data: &str, strings: &mut Strings) -> Option<Sym> {
    let value: Value = serde_json::from_str(data).ok()?;
    let obj = value.as_object()?;
    Some(text(obj.get("user_email")).map_or(NONE, |e| strings.intern(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &str = r#"{"transaction_id":"ORD-20250223-101","revenue":1149.5,"items":[{"item_id":"10Q-CLOUD","item_name":"Cloud Mattress","item_variant":"Queen - (60\"W x 80\"L)","quantity":1,"item_price":1149.5},{"item_id":null,"quantity":null,"item_price":"20"}],"user_email":"9f86d0"}"#;

    #[test]
    fn order_with_decimal_revenue_and_null_item_fields() {
        let mut s = Strings::default();
        let mut o = parse_order(ORDER, &mut s, i64::MAX).unwrap();
        assert_eq!(s.get(o.transaction_id), "ORD-20250223-101");
        assert_eq!(o.revenue_cents, 114950);
        assert_eq!(o.items.len(), 2);
        assert_eq!(
            o.items[0].item_variant.as_deref(),
            Some("Queen - (60\"W x 80\"L)")
        );
        assert_eq!(o.items[1].item_id, None);
        assert_eq!(o.items[1].item_price, Some(20.0));
        assert_eq!(
            o.items_total(i64::MAX),
            crate::model::ItemsTotal::MissingFields
        );
        o.items.pop();
        assert_eq!(
            o.items_total(i64::MAX),
            crate::model::ItemsTotal::Cents(114950)
        );
        o.items[0].quantity = Some(1e300);
        assert_eq!(
            o.items_total(i64::MAX),
            crate::model::ItemsTotal::Implausible
        );
        o.items[0].quantity = Some(-1.0);
        assert_eq!(
            o.items_total(i64::MAX),
            crate::model::ItemsTotal::Implausible
        );
        assert_eq!(s.get(o.email), "9f86d0");
    }

    #[test]
    fn integer_zero_and_string_revenues_are_accepted() {
        let mut s = Strings::default();
        let zero = parse_order(r#"{"transaction_id":7,"revenue":0}"#, &mut s, i64::MAX).unwrap();
        assert_eq!((s.get(zero.transaction_id), zero.revenue_cents), ("7", 0));
        let text = parse_order(
            r#"{"transaction_id":"A","revenue":"245.10"}"#,
            &mut s,
            i64::MAX,
        )
        .unwrap();
        assert_eq!(text.revenue_cents, 24510);
    }

    #[test]
    fn bad_orders_say_why() {
        let mut s = Strings::default();
        let mut err = |d: &str| parse_order(d, &mut s, i64::MAX).unwrap_err();
        assert!(matches!(err("{not json"), OrderError::InvalidJson(_)));
        assert!(matches!(err(""), OrderError::InvalidJson(_)));
        assert!(matches!(err("[1]"), OrderError::InvalidJson(_)));
        assert_eq!(err(r#"{"revenue":1}"#), OrderError::NoTransactionId);
        assert_eq!(
            err(r#"{"transaction_id":"","revenue":1}"#),
            OrderError::NoTransactionId
        );
        assert_eq!(err(r#"{"transaction_id":"A"}"#), OrderError::NoRevenue);
        assert_eq!(
            err(r#"{"transaction_id":"A","revenue":-5}"#),
            OrderError::Negative(-5.0)
        );
        assert!(matches!(
            err(r#"{"transaction_id":"A","revenue":"NaN"}"#),
            OrderError::NonFinite(_)
        ));
    }

    #[test]
    fn absurd_revenues_are_refused_not_wrapped() {
        let mut s = Strings::default();
        let cap = 2_500_000; // 25,000.00
        let mut parse = |d: &str| parse_order(d, &mut s, cap);
        assert_eq!(
            parse(r#"{"transaction_id":"A","revenue":9e18}"#).unwrap_err(),
            OrderError::AboveCap(9e18, cap)
        );
        assert_eq!(
            parse(r#"{"transaction_id":"A","revenue":1e308}"#).unwrap_err(),
            OrderError::AboveCap(1e308, cap)
        );
        assert_eq!(
            parse(r#"{"transaction_id":"A","revenue":25000.01}"#).unwrap_err(),
            OrderError::AboveCap(25000.01, cap)
        );
        assert_eq!(
            parse(r#"{"transaction_id":"A","revenue":25000}"#)
                .unwrap()
                .revenue_cents,
            cap
        );
        // 1e400 is not a JSON number serde can hold: it reads as infinite.
        assert!(parse(r#"{"transaction_id":"A","revenue":"1e400"}"#).is_err());
        let order = parse(
            r#"{"transaction_id":"A","revenue":5,"items":[{"quantity":"NaN","item_price":"inf"}]}"#,
        )
        .unwrap();
        assert_eq!(
            (order.items[0].quantity, order.items[0].item_price),
            (None, None)
        );
    }

    #[test]
    fn email_event_payload() {
        let mut s = Strings::default();
        let sym = parse_email(r#"{"user_email":"abc"}"#, &mut s).unwrap();
        assert_eq!(s.get(sym), "abc");
        assert_eq!(parse_email("{}", &mut s), Some(NONE));
        assert_eq!(parse_email("oops", &mut s), None);
    }
}
