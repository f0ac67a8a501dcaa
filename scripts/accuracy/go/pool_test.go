package pool

import (
	"os"
	"testing"
)

const doc = `
func TestInARawString(t *testing.T) {}
`

/*
func TestCommentedOut(t *testing.T) {}
*/

// func TestLineCommentedOut(t *testing.T) {}

func TestMain(m *testing.M) { os.Exit(m.Run()) }

func TestNew(t *testing.T) {
	if New(2).size != 2 {
		t.Fatal("size")
	}
}

func TestSubtests(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run("case", func(t *testing.T) { _ = n })
	}
}

func Test(t *testing.T) {}

func Test_underscore(t *testing.T) {}

func TestÜber(t *testing.T) {}

func TestSkipped(t *testing.T) {
	t.Skip("flaky")
}

func TestShort(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
}

func Testlower(t *testing.T) {}

func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		New(1)
	}
}

func FuzzNew(f *testing.F) { f.Fuzz(func(t *testing.T, n int) { New(n) }) }

func ExampleNew() {
	_ = New(1)
	// Output:
}

func helper(t *testing.T) { t.Helper() }

type fixture struct{}

func (fixture) TestMethod(t *testing.T) {}
