// Package imagetest makes real image files for tests: PNG, JPEG and GIF
// from the standard library's encoders, a WebP of one pixel, and JPEGs of
// an exact size in bytes. Only tests import it.
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
)

// picture is a w×h gradient tinted by seed, so that two seeds make two
// different files.
func picture(w, h int, seed uint8) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x * 255 / max(1, w)), uint8(y * 255 / max(1, h)), seed, 255})
		}
	}
	return m
}

// PNG returns a w×h PNG.
func PNG(w, h int, seed uint8) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h, seed)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG returns a w×h JPEG.
func JPEG(w, h int, seed uint8) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h, seed), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// GIF returns a w×h GIF.
func GIF(w, h int, seed uint8) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, picture(w, h, seed), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// WebP is a lossless WebP of one pixel (no WebP encoder is at hand; the
// bytes are a valid VP8L stream that golang.org/x/image/webp decodes).
var WebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// JPEGOfSize returns a valid JPEG photo-like noise picture of exactly n
// bytes (n at least a few KiB): encoded noise a little smaller than n,
// made up to n with comment segments after its start marker.
func JPEGOfSize(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	// Noise at quality 95 takes about 1.2 bytes a pixel; aim below n.
	side := 8
	for (side+64)*(side+64)*125/100 < n*9/10 {
		side += 64
	}
	m := image.NewRGBA(image.Rect(0, 0, side, side))
	for i := range m.Pix {
		if i%4 == 3 {
			m.Pix[i] = 255
		} else {
			m.Pix[i] = uint8(r.UintN(256))
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	body := b.Bytes()
	if len(body) > n-8 {
		panic("imagetest: the noise came out larger than asked")
	}
	out := make([]byte, 0, n)
	out = append(out, body[:2]...) // SOI
	for need := n - len(body); need > 0; {
		// A COM segment: FF FE, a two-byte length (counting itself), text.
		k := min(need, 65535+2)
		if need-k > 0 && need-k < 4 {
			k -= 4 // leave room for one more whole segment
		}
		payload := k - 4
		out = append(out, 0xFF, 0xFE, byte((payload+2)>>8), byte(payload+2))
		out = append(out, bytes.Repeat([]byte{'x'}, payload)...)
		need -= k
	}
	return append(out, body[2:]...)
}
