//! incident: INC-2026-003
//!
//! End to end through `Checkout`: what the payment provider is asked to charge must be
//! exactly what the priced cart says, in the currency's own minor unit.

use checkout_service::cart::{Cart, Currency, Money};
use checkout_service::inventory::Inventory;
use checkout_service::payment::{InMemoryGateway, PaymentClient, RetryPolicy};
use checkout_service::Checkout;

fn checkout(stock: &[(&str, u32)]) -> Checkout<InMemoryGateway> {
    let inventory = Inventory::new();
    for &(sku, units) in stock {
        inventory.restock(sku, units);
    }
    let payments =
        PaymentClient::new(InMemoryGateway::new(), RetryPolicy::default()).with_sleep(|_| {});
    Checkout::new(inventory, payments)
}

#[test]
fn discounted_order_charges_the_sum_of_its_lines() {
    let mut checkout = checkout(&[("SKU-TEA", 10), ("SKU-POT", 10), ("SKU-FILTER", 10)]);
    let eur = |minor| Money::from_minor(minor, Currency::Eur);
    let mut cart = Cart::new(Currency::Eur);
    cart.add("SKU-TEA", eur(333), 3);
    cart.add("SKU-POT", eur(1299), 1);
    cart.add("SKU-FILTER", eur(35), 2);
    cart.apply_discount_bps(1500);

    let confirmation = checkout
        .place_order("sub-3001", &cart)
        .expect("order is placed");

    let lines = cart.priced().lines;
    let line_sum = lines
        .iter()
        .fold(Money::zero(Currency::Eur), |acc, line| acc + line.net);
    let charged = &checkout.payments().gateway().requests()[0];
    assert_eq!(charged.amount, line_sum);
    assert_eq!(confirmation.total, eur(2013));
}

#[test]
fn yen_order_is_charged_in_whole_yen() {
    let mut checkout = checkout(&[("SKU-MATCHA", 10), ("SKU-WHISK", 10)]);
    let jpy = |minor| Money::from_minor(minor, Currency::Jpy);
    let mut cart = Cart::new(Currency::Jpy);
    cart.add("SKU-MATCHA", jpy(480), 3);
    cart.add("SKU-WHISK", jpy(1250), 1);
    cart.apply_discount_bps(1250);

    let confirmation = checkout
        .place_order("sub-3002", &cart)
        .expect("order is placed");

    // 12.5 % of 2690 yen is 336.25 yen: 336 off, and no fraction of a yen anywhere.
    assert_eq!(confirmation.total, jpy(2354));
    assert_eq!(confirmation.total.to_string(), "2354 JPY");
    assert_eq!(
        checkout.payments().gateway().captures()[0].amount,
        jpy(2354)
    );
}
