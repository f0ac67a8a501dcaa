//! Cart pricing in integer minor units.
//!
//! Amounts never pass through floating point. A percentage discount is rounded once, on
//! the subtotal, and then spread over the lines, because the payment provider checks that
//! the line items it receives add up to exactly the amount it is asked to charge.

use std::fmt;
use std::ops::Add;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Currency {
    Eur,
    Gbp,
    Usd,
    Jpy,
}

impl Currency {
    /// Decimal places of the minor unit (the ISO 4217 exponent). Yen have none.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Eur | Currency::Gbp | Currency::Usd => 2,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Usd => "USD",
            Currency::Jpy => "JPY",
        }
    }
}

/// An amount in the currency's minor unit (cents, pence, yen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::from_minor(0, currency)
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn times(self, quantity: u32) -> Self {
        Money::from_minor(self.minor * i64::from(quantity), self.currency)
    }
}

impl Add for Money {
    type Output = Money;

    fn add(self, rhs: Money) -> Money {
        // A sum across currencies looks plausible and is always wrong; refuse it loudly.
        assert!(
            self.currency == rhs.currency,
            "currency mismatch: {} + {}",
            self.currency.code(),
            rhs.currency.code()
        );
        Money::from_minor(self.minor + rhs.minor, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        match self.currency.exponent() {
            0 => write!(f, "{sign}{abs} {}", self.currency.code()),
            exp => {
                let scale = 10u64.pow(exp);
                let (major, minor) = (abs / scale, abs % scale);
                write!(
                    f,
                    "{sign}{major}.{minor:0width$} {}",
                    self.currency.code(),
                    width = exp as usize
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub sku: String,
    pub unit_price: Money,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub sku: String,
    pub gross: Money,
    pub discount: Money,
    pub net: Money,
}

/// What is sent to the payment provider: `total` is always the sum of the lines' `net`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    currency: Currency,
    lines: Vec<CartLine>,
    discount_bps: u32,
}

impl Cart {
    pub fn new(currency: Currency) -> Self {
        Cart {
            currency,
            lines: Vec::new(),
            discount_bps: 0,
        }
    }

    pub fn add(&mut self, sku: &str, unit_price: Money, quantity: u32) {
        assert!(
            unit_price.currency == self.currency,
            "currency mismatch: {} price in a {} cart",
            unit_price.currency.code(),
            self.currency.code()
        );
        assert!(unit_price.minor >= 0, "negative unit price for {sku}");
        self.lines.push(CartLine {
            sku: sku.to_owned(),
            unit_price,
            quantity,
        });
    }

    /// Percentage discount in basis points: 1500 is 15 %.
    pub fn apply_discount_bps(&mut self, bps: u32) {
        assert!(bps <= 10_000, "discount above 100 %: {bps} bps");
        self.discount_bps = bps;
    }

    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn priced(&self) -> PricedCart {
        let gross: Vec<i128> = self
            .lines
            .iter()
            .map(|l| i128::from(l.unit_price.times(l.quantity).minor))
            .collect();
        let subtotal: i128 = gross.iter().sum();
        // Half up, once, on the whole cart. Rounding each line on its own drifts from this
        // by a minor unit or more, and the provider rejects the mismatch.
        let discount = (subtotal * i128::from(self.discount_bps) + 5_000) / 10_000;

        // Largest-remainder allocation: every line gets the floor of its share, and the
        // minor units left over go to the lines with the largest remainders.
        let mut shares = Vec::with_capacity(gross.len());
        let mut remainders = Vec::with_capacity(gross.len());
        for (i, g) in gross.iter().enumerate() {
            let exact = discount * g;
            shares.push(if subtotal == 0 { 0 } else { exact / subtotal });
            remainders.push((if subtotal == 0 { 0 } else { exact % subtotal }, i));
        }
        let left_over = discount - shares.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(left_over as usize) {
            shares[i] += 1;
        }

        let money = |minor: i128| Money::from_minor(minor as i64, self.currency);
        let lines = self
            .lines
            .iter()
            .zip(gross.iter().zip(&shares))
            .map(|(line, (&g, &share))| PricedLine {
                sku: line.sku.clone(),
                gross: money(g),
                discount: money(share),
                net: money(g - share),
            })
            .collect();
        PricedCart {
            lines,
            subtotal: money(subtotal),
            discount: money(discount),
            total: money(subtotal - discount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    /// incident: INC-2026-003
    #[test]
    fn discounted_lines_sum_to_charged_total() {
        let mut cart = Cart::new(Currency::Eur);
        cart.add("SKU-TEA", eur(333), 3);
        cart.add("SKU-POT", eur(1299), 1);
        cart.add("SKU-FILTER", eur(35), 2);
        cart.apply_discount_bps(1500);

        let priced = cart.priced();

        // 15 % of 23.68 is 3.552; rounding each line instead gives 1.50 + 1.95 + 0.11 = 3.56.
        assert_eq!(priced.discount, eur(355));
        assert_eq!(priced.total, eur(2013));
        let sum = priced
            .lines
            .iter()
            .fold(Money::zero(Currency::Eur), |acc, l| acc + l.net);
        assert_eq!(sum, priced.total);
    }

    #[test]
    // incident: INC-2026-003
    #[should_panic(expected = "currency mismatch")]
    fn adding_amounts_in_different_currencies_panics() {
        let _ = eur(500) + Money::from_minor(500, Currency::Jpy);
    }

    #[test]
    fn formats_zero_decimal_currencies_without_a_fraction() {
        assert_eq!(
            Money::from_minor(1500, Currency::Jpy).to_string(),
            "1500 JPY"
        );
        assert_eq!(eur(2013).to_string(), "20.13 EUR");
        assert_eq!(eur(-7).to_string(), "-0.07 EUR");
    }

    #[test]
    fn cart_without_discount_charges_the_subtotal() {
        let mut cart = Cart::new(Currency::Gbp);
        cart.add("SKU-MUG", Money::from_minor(850, Currency::Gbp), 2);
        let priced = cart.priced();
        assert_eq!(priced.total, priced.subtotal);
        assert_eq!(priced.total.minor(), 1700);
    }
}
