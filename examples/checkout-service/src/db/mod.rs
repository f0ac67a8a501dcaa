//! Database access. The example keeps only the connection pool; the order and stock
//! repositories that use it in production are left out.

pub mod pool;
