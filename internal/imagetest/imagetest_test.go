package imagetest

import (
	"bytes"
	"image/jpeg"
	"testing"
)

func TestJPEGOfSize(t *testing.T) {
	for _, n := range []int{20 << 10, 5 << 20, 5<<20 + 1} {
		b := JPEGOfSize(n)
		if len(b) != n {
			t.Fatalf("JPEGOfSize(%d) is %d bytes", n, len(b))
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("JPEGOfSize(%d) does not decode: %v", n, err)
		}
	}
}
