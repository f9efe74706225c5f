package markdown

import (
	"strings"
	"testing"
)

func TestRender_Math(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Inline", `量子比特 $\lvert 0 \rangle$ 的态`, `<p>量子比特 <span class="math math-inline">\lvert 0 \rangle</span> 的态</p>`},
		{"MatrixKeepsBackslashesAndUnderscores", `$\begin{bmatrix} a_1 & b_1 \\ c_1 & d_1 \end{bmatrix}$`,
			`<p><span class="math math-inline">\begin{bmatrix} a_1 &amp; b_1 \\ c_1 &amp; d_1 \end{bmatrix}</span></p>`},
		{"Display", "The state is\n$$\n|\\psi\\rangle = \\alpha|0\\rangle + \\beta|1\\rangle\n$$\nwhere *α* is",
			`<p>The state is<span class="math math-display">|\psi\rangle = \alpha|0\rangle + \beta|1\rangle</span>` + "\n" + `where <em>α</em> is</p>`},
		{"Money", `It costs $5 and $10 a month`, `<p>It costs $5 and $10 a month</p>`},
		{"MoneyInWord", `US$5 or 5$ each`, `<p>US$5 or 5$ each</p>`},
		{"EscapedDollar", `\$x$ is not math`, `<p>$x$ is not math</p>`},
		{"SpaceAfterOpen", `$ x$ no`, `<p>$ x$ no</p>`},
		{"Unclosed", `$$ a + b`, `<p>$$ a + b</p>`},
		{"HTMLInsideIsText", `$<script>alert(1)</script>$`, `<p><span class="math math-inline">&lt;script&gt;alert(1)&lt;/script&gt;</span></p>`},
		{"InCode", "`$x$`", `<p><code>$x$</code></p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(got) != tc.want {
				t.Fatalf("Render(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
		})
	}
	// A formula's TeX is its plain text (excerpts, the index).
	if got := PlainText(`能量 $E = mc^2$ 守恒`); got != "能量 E = mc^2 守恒" {
		t.Fatalf("PlainText: %q", got)
	}
	// A class other than the two math ones never passes the sanitiser.
	if got, _ := Render(`<span class="math math-inline x">t</span>`); strings.Contains(got, "class") {
		t.Fatalf("a forged class passed: %s", got)
	}
}
