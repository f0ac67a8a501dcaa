//! Card payments through an external gateway, with retries.
//!
//! The gateway can capture a charge and still time out before it answers. Retrying is
//! safe only because every attempt for one checkout carries the same idempotency key,
//! for which the gateway returns the original charge instead of making a new one.

use std::collections::HashMap;
use std::time::Duration;

use crate::cart::Money;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Derived from the checkout submission rather than generated per request, so that a
    /// client resubmitting the same checkout lands on the same key as well.
    pub fn for_submission(submission_id: &str) -> Self {
        IdempotencyKey(format!("checkout:{submission_id}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    pub order_id: String,
    pub amount: Money,
    pub idempotency_key: IdempotencyKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeReceipt {
    pub charge_id: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayError {
    /// No answer in time; the charge may or may not have been captured.
    Timeout,
    Unavailable,
    Declined(String),
}

pub trait PaymentGateway {
    fn charge(&mut self, request: &ChargeRequest) -> Result<ChargeReceipt, GatewayError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeError {
    Declined(String),
    GaveUp { attempts: u32, last: GatewayError },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff after the given (1-based) failed attempt, capped at `max_delay`.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

pub struct PaymentClient<G> {
    gateway: G,
    policy: RetryPolicy,
    sleep: fn(Duration),
}

impl<G: PaymentGateway> PaymentClient<G> {
    pub fn new(gateway: G, policy: RetryPolicy) -> Self {
        PaymentClient {
            gateway,
            policy,
            sleep: std::thread::sleep,
        }
    }

    /// Replaces the real sleep, so tests exercise the backoff without waiting for it.
    pub fn with_sleep(mut self, sleep: fn(Duration)) -> Self {
        self.sleep = sleep;
        self
    }

    pub fn gateway(&self) -> &G {
        &self.gateway
    }

    pub fn gateway_mut(&mut self) -> &mut G {
        &mut self.gateway
    }

    pub fn charge(
        &mut self,
        order_id: &str,
        amount: Money,
        key: &IdempotencyKey,
    ) -> Result<ChargeReceipt, ChargeError> {
        // Built once, outside the loop: every attempt sends the same request, key included.
        let request = ChargeRequest {
            order_id: order_id.to_owned(),
            amount,
            idempotency_key: key.clone(),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.gateway.charge(&request) {
                Ok(receipt) => return Ok(receipt),
                Err(GatewayError::Declined(reason)) => return Err(ChargeError::Declined(reason)),
                Err(last) if attempt >= self.policy.max_attempts.max(1) => {
                    return Err(ChargeError::GaveUp {
                        attempts: attempt,
                        last,
                    })
                }
                Err(_) => (self.sleep)(self.policy.delay_after(attempt)),
            }
        }
    }
}

/// Gateway stand-in for local runs and tests. Like the real provider it deduplicates by
/// idempotency key, and it can time out *after* capturing, the case that makes retries risky.
#[derive(Debug, Default)]
pub struct InMemoryGateway {
    timeouts_after_capture: u32,
    decline_reason: Option<String>,
    requests: Vec<ChargeRequest>,
    captures: Vec<ChargeReceipt>,
    by_key: HashMap<IdempotencyKey, usize>,
}

impl InMemoryGateway {
    pub fn new() -> Self {
        InMemoryGateway::default()
    }

    /// The next `times` requests are captured but answered with a timeout.
    pub fn time_out_after_capture(&mut self, times: u32) {
        self.timeouts_after_capture = times;
    }

    pub fn decline_with(&mut self, reason: &str) {
        self.decline_reason = Some(reason.to_owned());
    }

    /// Every request received, retries included.
    pub fn requests(&self) -> &[ChargeRequest] {
        &self.requests
    }

    /// Distinct charges: what the customer sees on their card statement.
    pub fn captures(&self) -> &[ChargeReceipt] {
        &self.captures
    }
}

impl PaymentGateway for InMemoryGateway {
    fn charge(&mut self, request: &ChargeRequest) -> Result<ChargeReceipt, GatewayError> {
        self.requests.push(request.clone());
        if let Some(reason) = &self.decline_reason {
            return Err(GatewayError::Declined(reason.clone()));
        }
        let index = match self.by_key.get(&request.idempotency_key) {
            Some(&index) => index,
            None => {
                let charge_id = format!("ch_{:04}", self.captures.len() + 1);
                self.captures.push(ChargeReceipt {
                    charge_id,
                    amount: request.amount,
                });
                self.by_key
                    .insert(request.idempotency_key.clone(), self.captures.len() - 1);
                self.captures.len() - 1
            }
        };
        if self.timeouts_after_capture > 0 {
            self.timeouts_after_capture -= 1;
            return Err(GatewayError::Timeout);
        }
        Ok(self.captures[index].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Currency;

    fn client(gateway: InMemoryGateway) -> PaymentClient<InMemoryGateway> {
        PaymentClient::new(gateway, RetryPolicy::default()).with_sleep(|_| {})
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    /// incident: INC-2026-001
    #[test]
    fn retry_reuses_idempotency_key() {
        let mut gateway = InMemoryGateway::new();
        gateway.time_out_after_capture(2);
        let mut payments = client(gateway);
        let key = IdempotencyKey::for_submission("sub-7f3a");

        let receipt = payments
            .charge("ord-1001", eur(4999), &key)
            .expect("third attempt succeeds");

        let gateway = payments.gateway();
        assert_eq!(gateway.requests().len(), 3);
        assert!(gateway.requests().iter().all(|r| r.idempotency_key == key));
        assert_eq!(
            gateway.captures().len(),
            1,
            "the customer was charged more than once"
        );
        assert_eq!(receipt.charge_id, "ch_0001");
    }

    #[test]
    fn declines_are_not_retried() {
        let mut gateway = InMemoryGateway::new();
        gateway.decline_with("insufficient_funds");
        let mut payments = client(gateway);
        let result = payments.charge("ord-1002", eur(1250), &IdempotencyKey::for_submission("s"));
        assert_eq!(
            result,
            Err(ChargeError::Declined("insufficient_funds".into()))
        );
        assert_eq!(payments.gateway().requests().len(), 1);
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let mut gateway = InMemoryGateway::new();
        gateway.time_out_after_capture(10);
        let mut payments = client(gateway);
        let result = payments.charge("ord-1003", eur(800), &IdempotencyKey::for_submission("s"));
        assert_eq!(
            result,
            Err(ChargeError::GaveUp {
                attempts: 4,
                last: GatewayError::Timeout
            })
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<u128> = (1..=5).map(|n| policy.delay_after(n).as_millis()).collect();
        assert_eq!(delays, [200, 400, 800, 1600, 2000]);
        assert_eq!(policy.delay_after(40), Duration::from_secs(2));
    }
}
