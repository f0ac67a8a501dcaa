//! Stock reservations for checkouts.
//!
//! Checking availability and taking the stock must be one step: two checkouts that both
//! see "one left" and then both take it have sold the item twice. So every reservation is
//! decided under the lock that guards the stock levels, never on a value read earlier.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReserveError {
    UnknownSku(String),
    Insufficient {
        sku: String,
        requested: u32,
        available: u32,
    },
}

#[derive(Debug, Default)]
struct Stock {
    /// Units neither sold nor held for a checkout.
    available: HashMap<String, u32>,
    /// Held per (order, SKU), so that a resubmitted checkout finds its own reservation
    /// instead of taking the stock a second time.
    held: HashMap<(String, String), u32>,
}

#[derive(Debug, Default)]
pub struct Inventory {
    stock: Mutex<Stock>,
}

impl Inventory {
    pub fn new() -> Self {
        Inventory::default()
    }

    pub fn restock(&self, sku: &str, units: u32) {
        *self.lock().available.entry(sku.to_owned()).or_insert(0) += units;
    }

    pub fn available(&self, sku: &str) -> u32 {
        self.lock().available.get(sku).copied().unwrap_or(0)
    }

    pub fn held_for(&self, order_id: &str, sku: &str) -> u32 {
        let key = (order_id.to_owned(), sku.to_owned());
        self.lock().held.get(&key).copied().unwrap_or(0)
    }

    /// Holds `quantity` units of `sku` for the order. Idempotent per (order, SKU): calling
    /// it again with the same quantity changes nothing.
    pub fn reserve(&self, order_id: &str, sku: &str, quantity: u32) -> Result<(), ReserveError> {
        let mut stock = self.lock();
        let key = (order_id.to_owned(), sku.to_owned());
        let already = stock.held.get(&key).copied().unwrap_or(0);
        let available = match stock.available.get_mut(sku) {
            Some(units) => units,
            None => return Err(ReserveError::UnknownSku(sku.to_owned())),
        };
        if quantity <= already {
            *available += already - quantity;
        } else {
            let missing = quantity - already;
            if *available < missing {
                let available = *available;
                return Err(ReserveError::Insufficient {
                    sku: sku.to_owned(),
                    requested: quantity,
                    available,
                });
            }
            *available -= missing;
        }
        stock.held.insert(key, quantity);
        Ok(())
    }

    /// Returns everything held for the order to the shelf, e.g. after a declined payment.
    pub fn release(&self, order_id: &str) -> u32 {
        let mut stock = self.lock();
        let Stock { available, held } = &mut *stock;
        let mut released = 0;
        held.retain(|(order, sku), units| {
            if order != order_id {
                return true;
            }
            *available.entry(sku.clone()).or_insert(0) += *units;
            released += *units;
            false
        });
        released
    }

    fn lock(&self) -> MutexGuard<'_, Stock> {
        // Each update is applied before anything can panic, so the state a panicking
        // thread leaves behind is consistent; one failed checkout must not stop the rest.
        self.stock.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::thread;

    // incident: INC-2026-002
    #[test]
    fn concurrent_reservations_never_oversell() {
        let inventory = Inventory::new();
        inventory.restock("SKU-KETTLE-LTD", 5);
        let start = Barrier::new(16);

        let confirmed = thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|i| {
                    let (inventory, start) = (&inventory, &start);
                    s.spawn(move || {
                        start.wait();
                        inventory
                            .reserve(&format!("ord-{i}"), "SKU-KETTLE-LTD", 1)
                            .is_ok()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|ok| *ok)
                .count()
        });

        assert_eq!(confirmed, 5);
        assert_eq!(inventory.available("SKU-KETTLE-LTD"), 0);
    }

    #[test]
    fn insufficient_stock_is_reported_with_what_is_left() {
        let inventory = Inventory::new();
        inventory.restock("SKU-MUG", 2);
        let err = inventory.reserve("ord-1", "SKU-MUG", 3).unwrap_err();
        assert_eq!(
            err,
            ReserveError::Insufficient {
                sku: "SKU-MUG".into(),
                requested: 3,
                available: 2
            }
        );
        assert_eq!(inventory.available("SKU-MUG"), 2);
    }

    #[test]
    fn release_returns_held_units() {
        let inventory = Inventory::new();
        inventory.restock("SKU-MUG", 4);
        inventory.reserve("ord-1", "SKU-MUG", 3).unwrap();
        assert_eq!(inventory.release("ord-1"), 3);
        assert_eq!(inventory.available("SKU-MUG"), 4);
        assert_eq!(inventory.held_for("ord-1", "SKU-MUG"), 0);
    }

    #[test]
    fn unknown_sku_is_an_error() {
        let inventory = Inventory::new();
        assert_eq!(
            inventory.reserve("ord-1", "SKU-NOPE", 1),
            Err(ReserveError::UnknownSku("SKU-NOPE".into()))
        );
    }
}
