package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrQuiet is the quiet zone around a QR code, in modules (the standard's 4).
const qrQuiet = 4

// svgWriter draws a QR code's matrix as one SVG path, a unit square a
// module: small, sharp at any size, and no image library.
type svgWriter struct{ out string }

func (s *svgWriter) Write(mat qrcode.Matrix) error {
	w, h := mat.Width()+2*qrQuiet, mat.Height()+2*qrQuiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, w, h)
	mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
		}
	})
	b.WriteString(`"/></svg>`)
	s.out = b.String()
	return nil
}

func (s *svgWriter) Close() error { return nil }

// qrDataURI returns the QR code of text as an SVG data: URI, for an <img>
// on the page that shows it (nothing is stored, no route serves it).
func qrDataURI(text string) (template.URL, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", err
	}
	var w svgWriter
	if err := q.Save(&w); err != nil {
		return "", err
	}
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(w.out))), nil
}
