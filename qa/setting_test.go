package qa_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

func TestStore_DeclineReasons(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)

		got, err := e.DeclineReasons(e.ctx, as(x))
		if err != nil || got != nil {
			t.Fatalf("never set: %v, %v", got, err)
		}
		got, err = e.SetDeclineReasons(e.ctx, as(x), []string{" 与本社区主题无关 ", "", "Too broad:\r\nplease split it.", "与本社区主题无关"})
		if err != nil || strings.Join(got, "|") != "与本社区主题无关|Too broad:\nplease split it." {
			t.Fatalf("set = %q, %v", got, err)
		}
		got, err = e.DeclineReasons(e.ctx, as(x))
		if err != nil || len(got) != 2 || got[1] != "Too broad:\nplease split it." {
			t.Fatalf("read back = %q, %v", got, err)
		}
		if got, err = e.SetDeclineReasons(e.ctx, as(x), nil); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("cleared = %v, %v", got, err)
		}
		if got, err = e.DeclineReasons(e.ctx, as(x)); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("cleared is not unset: %v, %v", got, err)
		}

		_, err = e.DeclineReasons(e.ctx, as(m))
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.SetDeclineReasons(e.ctx, as(m), []string{"x"})
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.SetDeclineReasons(e.ctx, asToken(x, qa.ScopeRead), []string{"x"})
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.SetDeclineReasons(e.ctx, as(x), []string{strings.Repeat("长", qa.MaxReasonLen+1)})
		wantCode(t, err, qa.EINVALID)
		many := make([]string, qa.MaxDeclineReasons+1)
		for i := range many {
			many[i] = strings.Repeat("r", i+1)
		}
		_, err = e.SetDeclineReasons(e.ctx, as(x), many)
		wantCode(t, err, qa.EINVALID)
	})
}
