package markdown

import "testing"

// TestExcerpt_Shapes: tables and lists keep their shape in a teaser: a
// table is left out and said to be, list items do not run together; the
// index (PlainText) still gets every cell.
func TestExcerpt_Shapes(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"Table", "Blocks per epoch:\n\n| epoch | blocks |\n|---|---|\n| 1 | 21600 |\n\nThat is all.", "Blocks per epoch: (table) That is all."},
		{"TableFirst", "| 阶段 | 周 |\n|---|---|\n| 基础 | 2 |\n\n先读 DDIA。", "(table) 先读 DDIA。"},
		{"List", "Steps:\n\n- read\n- write\n- test", "Steps: read · write · test"},
		{"Ordered", "1. 读\n2. 写", "读 · 写"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.in, 200); got != tt.want {
				t.Errorf("Excerpt = %q, want %q", got, tt.want)
			}
		})
	}
	if got := PlainText("| epoch | blocks |\n|---|---|\n| 1 | 21600 |"); got != "epoch blocks 1 21600" {
		t.Errorf("PlainText = %q", got)
	}
}
