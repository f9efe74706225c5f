package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// diffJS reads the revision diff as a reader sees it: the removed and the
// added text of the answer's body, whether each is marked so that it reads
// apart without colour (struck through, underlined), whether all of it is
// on screen, and whether the diff box hides text sideways.
const diffJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const box = document.getElementById("diff-body");
  const out = {del: "", ins: "", struck: true, underlined: true, onScreen: true, clipped: false, legend: ""};
  if (!box) return JSON.stringify(out);
  out.clipped = box.scrollWidth > box.clientWidth + 1;
  for (const el of box.querySelectorAll("del, ins")) {
    const line = getComputedStyle(el).textDecorationLine;
    if (el.tagName === "DEL") { out.del += el.textContent; out.struck = out.struck && line.includes("line-through"); }
    else { out.ins += el.textContent; out.underlined = out.underlined && line.includes("underline"); }
    for (const r of el.getClientRects()) {
      if (r.right > vw + 1 || r.left < -1) out.onScreen = false;
    }
    if (!el.checkVisibility()) out.onScreen = false;
  }
  const legend = document.querySelector("main .hint");
  out.legend = legend ? legend.textContent : "";
  return JSON.stringify(out);
})()`

type diffReport struct {
	Del, Ins                     string
	Struck, Underlined, OnScreen bool
	Clipped                      bool
	Legend                       string
}

// TestBrowser_Revisions: the expert edits an answer twice in the editor,
// opens its revisions from the editor, compares the first with the newest
// and reads the diff (Chinese by characters, English by words: removed text
// struck through, added text underlined, all of it on screen), restores the
// first as a new revision in one click, and the answer shows the restored
// text; in both languages, at 390 px (nothing off screen: phoneJS) and at
// 1280 px.
func TestBrowser_Revisions(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	const (
		v1 = "质押收益按周期发放，每年约百分之五。\n\nRewards are paid every epoch, about five percent a year."
		v2 = "质押收益按周期发放，每年约百分之七。\n\nRewards are paid every epoch, about seven percent a year."
		v3 = v2 + "\n\n提现需要等待两个周期。Withdrawals wait two epochs."
	)
	for _, lang := range []struct{ code, saved, restored, restore, legend string }{
		{"zh-Hans", "已保存", "已恢复较早的版本", "恢复第 1 版", "删除的文字"},
		{"en", "Saved", "The earlier revision is restored", "Restore No. 1", "Removed text is struck through"},
	} {
		for _, size := range []struct {
			name string
			w, h int
		}{{"390", 390, 844}, {"1280", 1280, 900}} {
			title := fmt.Sprintf("质押收益怎么算 How are staking rewards paid (%s, %s)", lang.code, size.name)
			a := s.publish(t, title, v1, false, "staking")
			base := qa.AnswerPath(a.ID)

			t.Run(lang.code+"-"+size.name, func(t *testing.T) {
				c := newChrome(t, s.URL, lang.code, size.w, size.h)
				measure := func(step string) { c.measurePhone(fmt.Sprintf("%s at %d px", step, size.w)) }
				c.signIn("sign in", expert.Email, password)

				// Two edits in the editor.
				for i, body := range []string{v2, v3} {
					step := fmt.Sprintf("edit %d", i+1)
					c.open(step, base+"/edit")
					if i == 0 {
						measure("editor")
					}
					c.do(step+": type", chromedp.SetValue(chromedp.ID("body"), body))
					c.submit(step+": save", `form.editor button[name=action][value=publish]`, `^`+base+`$`)
					c.waitText(step+": saved", ".flash", lang.saved)
				}
				c.waitText("the answer shows the newest text", "main", "Withdrawals wait two epochs")

				revs, err := s.store.FindAnswerRevisions(s.ctx, qa.System(), a.ID)
				if err != nil || len(revs) != 3 {
					t.Fatalf("revisions after two edits: %d, %v", len(revs), err)
				}
				first, newest := strconv.FormatInt(revs[2].ID, 10), strconv.FormatInt(revs[0].ID, 10)

				// The editor links to the comparison.
				c.open("editor", base+"/edit")
				c.do("compare revisions", chromedp.Click(chromedp.ID("compare-revisions")))
				c.waitText("revisions page", "main h1", map[string]string{"zh-Hans": "比较修订版本", "en": "Compare revisions"}[lang.code])
				measure("revisions, the last edit")
				// The two choices and the button sit together: side by
				// side on a desktop, one under the other on a phone, with
				// no empty space between (a column flex once made each
				// field 14rem tall).
				var form struct{ Height, FromTop, ToTop, Gap float64 }
				raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`JSON.stringify((() => {
				  const f = document.querySelector(".compare-form").getBoundingClientRect();
				  const a = document.getElementById("from").getBoundingClientRect(), b = document.getElementById("to").getBoundingClientRect();
				  const btn = document.getElementById("compare").getBoundingClientRect();
				  return {height: f.height, fromTop: a.top, toTop: b.top, gap: btn.top - b.bottom};
				})())`))
				if err != nil {
					c.fail("measure the compare form", err)
				}
				if err := jsonUnmarshal(raw, &form); err != nil {
					c.fail("measure the compare form", err)
				}
				if phone := size.w < 600; form.Height > 260 || form.Gap > 60 || !phone && form.FromTop != form.ToTop {
					c.screenshot("compare form")
					t.Errorf("the compare form at %d px: %+v", size.w, form)
				}
				// The first against the newest.
				c.do("choose the revisions", chromedp.SetValue(chromedp.ID("from"), first), chromedp.SetValue(chromedp.ID("to"), newest))
				c.submit("compare", "#compare", `^`+base+`/revisions$`)
				c.waitText("restore offered", "#restore", lang.restore)
				var d diffReport
				raw, err = chromedp.Run(c.ctx, chromedp.Evaluate[string](diffJS))
				if err != nil {
					c.fail("read the diff", err)
				}
				if err := jsonUnmarshal(raw, &d); err != nil {
					c.fail("read the diff", err)
				}
				for _, w := range []string{"五", "five"} {
					if !strings.Contains(d.Del, w) {
						t.Errorf("removed text %q lacks %q", d.Del, w)
					}
				}
				for _, w := range []string{"七", "seven", "提现需要等待两个周期", "Withdrawals wait two epochs"} {
					if !strings.Contains(d.Ins, w) {
						t.Errorf("added text %q lacks %q", d.Ins, w)
					}
				}
				if strings.Contains(d.Del+d.Ins, "质押收益按周期发放") || strings.Contains(d.Del+d.Ins, "Rewards are paid every epoch") {
					t.Errorf("unchanged text marked as changed: del %q, ins %q", d.Del, d.Ins)
				}
				if !d.Struck || !d.Underlined || !d.OnScreen || d.Clipped || !strings.Contains(d.Legend, lang.legend) {
					c.screenshot("diff")
					t.Errorf("the diff does not read at %d px: %+v", size.w, d)
				}
				measure("revisions, first against newest")
				c.screenshot("diff")

				// Restore the first, as a new revision.
				c.submit("restore", "#restore", `^`+base+`$`)
				c.waitText("restored", ".flash", lang.restored)
				c.waitText("the answer shows the restored text", ".body", "about five percent a year")
				body, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(".body")))
				if err != nil {
					c.fail("answer text", err)
				}
				if !strings.Contains(body, "百分之五") || strings.Contains(body, "百分之七") || strings.Contains(body, "Withdrawals") {
					t.Errorf("the answer after the restore reads %q", body)
				}
				measure("answer after the restore")
				c.screenshot("restored")
				revs, err = s.store.FindAnswerRevisions(s.ctx, qa.System(), a.ID)
				if err != nil || len(revs) != 4 || revs[0].BodyMarkdown != v1 || revs[1].BodyMarkdown != v3 {
					t.Fatalf("after the restore: %d revisions (%v), newest %q", len(revs), err, revs[0].BodyMarkdown)
				}
			})
		}
	}
}
