package pool

// Pool is a fixed-size connection pool.
type Pool struct{ size int }

// New returns a pool of n connections.
func New(n int) *Pool { return &Pool{size: n} }

// TestLooksLikeATest is not a test: this is not a _test.go file.
func TestLooksLikeATest(t interface{ Skip(...any) }) {}
