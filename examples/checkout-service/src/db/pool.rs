//! A small bounded pool of database connections.
//!
//! Bounded so that a struggling database pushes back on checkouts (they wait, then fail
//! with `PoolError::Timeout`) instead of opening connections until the database refuses
//! them. Connections that sat idle are checked before reuse: after a failover they may
//! still point at a primary that is gone.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub trait ManageConnection {
    type Connection;
    fn connect(&self) -> Result<Self::Connection, PoolError>;
    /// A cheap round trip (`SELECT 1`), bounded by its own short timeout.
    fn is_valid(&self, conn: &mut Self::Connection) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    Timeout { waited: Duration },
    Connect(String),
}

#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    pub max_size: usize,
    pub acquire_timeout: Duration,
    /// Idle connections younger than this are handed out without a validity check.
    pub validate_after: Duration,
}

struct State<C> {
    idle: Vec<(C, Instant)>,
    open: usize,
}

pub struct Pool<M: ManageConnection> {
    manager: M,
    config: PoolConfig,
    state: Mutex<State<M::Connection>>,
    returned: Condvar,
}

impl<M: ManageConnection> Pool<M> {
    pub fn new(manager: M, config: PoolConfig) -> Self {
        let state = Mutex::new(State {
            idle: Vec::new(),
            open: 0,
        });
        Pool {
            manager,
            config,
            state,
            returned: Condvar::new(),
        }
    }

    pub fn get(&self) -> Result<PooledConnection<'_, M>, PoolError> {
        let deadline = Instant::now() + self.config.acquire_timeout;
        let mut state = self.lock();
        loop {
            if let Some((mut conn, idle_since)) = state.idle.pop() {
                if idle_since.elapsed() < self.config.validate_after {
                    return Ok(PooledConnection {
                        pool: self,
                        conn: Some(conn),
                    });
                }
                // Validate without holding the lock: the check is a network round trip.
                drop(state);
                if self.manager.is_valid(&mut conn) {
                    return Ok(PooledConnection {
                        pool: self,
                        conn: Some(conn),
                    });
                }
                drop(conn);
                state = self.lock();
                state.open -= 1;
                continue;
            }
            if state.open < self.config.max_size {
                state.open += 1;
                drop(state);
                return match self.manager.connect() {
                    Ok(conn) => Ok(PooledConnection {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(err) => {
                        self.free_slot();
                        Err(err)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(PoolError::Timeout {
                    waited: self.config.acquire_timeout,
                });
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// `(open, idle)` connections, for the metrics endpoint.
    pub fn status(&self) -> (usize, usize) {
        let state = self.lock();
        (state.open, state.idle.len())
    }

    fn free_slot(&self) {
        self.lock().open -= 1;
        self.returned.notify_one();
    }

    fn lock(&self) -> MutexGuard<'_, State<M::Connection>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct PooledConnection<'a, M: ManageConnection> {
    pool: &'a Pool<M>,
    conn: Option<M::Connection>,
}

impl<M: ManageConnection> PooledConnection<'_, M> {
    /// Closes a connection that failed mid-query instead of returning it, so that the
    /// next checkout does not inherit a broken connection.
    pub fn discard(mut self) {
        self.conn = None;
        self.pool.free_slot();
    }
}

impl<M: ManageConnection> Deref for PooledConnection<'_, M> {
    type Target = M::Connection;
    fn deref(&self) -> &M::Connection {
        self.conn
            .as_ref()
            .expect("connection present until dropped")
    }
}

impl<M: ManageConnection> DerefMut for PooledConnection<'_, M> {
    fn deref_mut(&mut self) -> &mut M::Connection {
        self.conn
            .as_mut()
            .expect("connection present until dropped")
    }
}

impl<M: ManageConnection> Drop for PooledConnection<'_, M> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.lock().idle.push((conn, Instant::now()));
            self.pool.returned.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Default)]
    struct FakeDb {
        connects: AtomicU32,
    }

    impl ManageConnection for FakeDb {
        type Connection = u32;
        fn connect(&self) -> Result<u32, PoolError> {
            Ok(self.connects.fetch_add(1, Ordering::SeqCst) + 1)
        }
        fn is_valid(&self, _: &mut u32) -> bool {
            true
        }
    }

    fn pool(max_size: usize) -> Pool<FakeDb> {
        let config = PoolConfig {
            max_size,
            acquire_timeout: Duration::from_millis(20),
            validate_after: Duration::from_secs(30),
        };
        Pool::new(FakeDb::default(), config)
    }

    #[test]
    fn returned_connections_are_reused() {
        let pool = pool(2);
        let first = *pool.get().unwrap();
        let second = *pool.get().unwrap();
        assert_eq!(first, second);
        assert_eq!(pool.status(), (1, 1));
    }

    #[test]
    fn waits_then_times_out_when_every_connection_is_in_use() {
        let pool = pool(2);
        let _a = pool.get().unwrap();
        let _b = pool.get().unwrap();
        assert_eq!(
            pool.get().err(),
            Some(PoolError::Timeout {
                waited: Duration::from_millis(20)
            })
        );
    }

    #[test]
    fn discarded_connection_frees_its_slot() {
        let pool = pool(1);
        pool.get().unwrap().discard();
        assert_eq!(pool.status(), (0, 0));
        assert_eq!(*pool.get().unwrap(), 2);
    }
}
