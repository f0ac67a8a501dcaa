//! Checkout service of an online shop: turns a cart into a paid order.
//!
//! Stock is reserved before the card is charged, and both steps are keyed by the checkout
//! submission: a client that resubmits after a timeout must neither hold the stock twice
//! nor pay twice.

pub mod cart;
pub mod db;
pub mod inventory;
pub mod payment;

use cart::{Cart, Money};
use inventory::{Inventory, ReserveError};
use payment::{ChargeError, IdempotencyKey, PaymentClient, PaymentGateway};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderConfirmation {
    pub order_id: String,
    pub charge_id: String,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutError {
    EmptyCart,
    Stock(ReserveError),
    Payment(ChargeError),
}

pub struct Checkout<G> {
    inventory: Inventory,
    payments: PaymentClient<G>,
}

impl<G: PaymentGateway> Checkout<G> {
    pub fn new(inventory: Inventory, payments: PaymentClient<G>) -> Self {
        Checkout {
            inventory,
            payments,
        }
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    pub fn payments(&self) -> &PaymentClient<G> {
        &self.payments
    }

    pub fn payments_mut(&mut self) -> &mut PaymentClient<G> {
        &mut self.payments
    }

    /// Places the order for one checkout submission. Safe to call again with the same
    /// `submission_id` after a failure whose outcome is unknown.
    pub fn place_order(
        &mut self,
        submission_id: &str,
        cart: &Cart,
    ) -> Result<OrderConfirmation, CheckoutError> {
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let order_id = format!("ord-{submission_id}");
        for line in cart.lines() {
            if let Err(err) = self.inventory.reserve(&order_id, &line.sku, line.quantity) {
                self.inventory.release(&order_id);
                return Err(CheckoutError::Stock(err));
            }
        }

        let priced = cart.priced();
        let key = IdempotencyKey::for_submission(submission_id);
        match self.payments.charge(&order_id, priced.total, &key) {
            Ok(receipt) => Ok(OrderConfirmation {
                order_id,
                charge_id: receipt.charge_id,
                total: priced.total,
            }),
            Err(ChargeError::Declined(reason)) => {
                self.inventory.release(&order_id);
                Err(CheckoutError::Payment(ChargeError::Declined(reason)))
            }
            // The money may have been taken: keep the stock held until the resubmission
            // or the reconciliation job settles what happened.
            Err(err) => Err(CheckoutError::Payment(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cart::Currency;
    use payment::{InMemoryGateway, RetryPolicy};

    fn checkout_with_stock(sku: &str, units: u32) -> Checkout<InMemoryGateway> {
        let inventory = Inventory::new();
        inventory.restock(sku, units);
        let payments =
            PaymentClient::new(InMemoryGateway::new(), RetryPolicy::default()).with_sleep(|_| {});
        Checkout::new(inventory, payments)
    }

    // incident: INC-2026-001, INC-2026-002
    #[test]
    fn resubmitted_checkout_charges_and_reserves_once() {
        let mut checkout = checkout_with_stock("SKU-KETTLE-LTD", 3);
        let mut cart = Cart::new(Currency::Eur);
        cart.add("SKU-KETTLE-LTD", Money::from_minor(8900, Currency::Eur), 2);

        // Every attempt of the first submission is captured but times out.
        checkout
            .payments_mut()
            .gateway_mut()
            .time_out_after_capture(4);
        let first = checkout.place_order("sub-19c2", &cart);
        assert!(matches!(
            first,
            Err(CheckoutError::Payment(ChargeError::GaveUp { .. }))
        ));

        let confirmation = checkout
            .place_order("sub-19c2", &cart)
            .expect("resubmission succeeds");

        assert_eq!(checkout.payments().gateway().captures().len(), 1);
        assert_eq!(confirmation.charge_id, "ch_0001");
        assert_eq!(
            checkout
                .inventory()
                .held_for("ord-sub-19c2", "SKU-KETTLE-LTD"),
            2
        );
        assert_eq!(checkout.inventory().available("SKU-KETTLE-LTD"), 1);
    }

    #[test]
    fn declined_payment_puts_the_stock_back() {
        let mut checkout = checkout_with_stock("SKU-MUG", 5);
        checkout
            .payments_mut()
            .gateway_mut()
            .decline_with("card_expired");
        let mut cart = Cart::new(Currency::Eur);
        cart.add("SKU-MUG", Money::from_minor(1200, Currency::Eur), 2);

        let result = checkout.place_order("sub-aa01", &cart);

        assert_eq!(
            result,
            Err(CheckoutError::Payment(ChargeError::Declined(
                "card_expired".into()
            )))
        );
        assert_eq!(checkout.inventory().available("SKU-MUG"), 5);
    }

    #[test]
    fn empty_cart_is_rejected() {
        let mut checkout = checkout_with_stock("SKU-MUG", 1);
        let result = checkout.place_order("sub-0000", &Cart::new(Currency::Eur));
        assert_eq!(result, Err(CheckoutError::EmptyCart));
    }
}
