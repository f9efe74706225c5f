package i18n

import (
	"encoding/json"
	"strings"
	"testing"

	"answerbook/qa"
)

// noticeArgs are the arguments qa writes with each kind (qa/notify.go); a
// kind missing here fails TestNotices, so a new kind cannot go untitled.
var noticeArgs = map[qa.Kind]qa.Args{
	qa.KindAnswered:         {"Title": "如何准备面试？", "QuestionID": 7, "AnswerID": 9},
	qa.KindDeclined:         {"Title": "How do I stake?", "QuestionID": 7, "Reason": "不在讨论范围内"},
	qa.KindDuplicate:        {"Title": "如何准备面试？", "QuestionID": 7, "AnswerID": 9},
	qa.KindExpired:          {"Title": "How do I stake?", "QuestionID": 7},
	qa.KindNewQuestions:     {"Title": "质押奖励什么时候到账？", "Count": 1},
	qa.KindQueueSummary:     {"Count": 1, "Date": "2026-03-01", "Oldest": "2026-02-20"},
	qa.KindMembershipEnding: {"Date": "2026-03-08"},
	qa.KindMembershipEnded:  {"Date": "2026-03-01"},
	qa.KindFollowedAnswers:  {"Title": "What is Plutus?", "Count": 1},
	qa.KindPaymentReceipt:   {"Amount": "CNY 99.00", "Plan": "年度会员", "Date": "2026-09-01"},
	qa.KindPaymentRefunded:  {"Amount": "USD 12.50", "Date": "2026-03-01"},
}

// TestNotices: every notification kind has a title in both languages that
// uses only the arguments qa gives it, says them all in the reader's
// language (dates as the language writes them, counts in the right plural
// form), also after the arguments went through the database as JSON.
func TestNotices(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := c.Localizers()[0], c.Localizers()[1]
	raw := map[string]map[string]string{"en.toml": flatten(t, "en.toml"), "zh-Hans.toml": flatten(t, "zh-Hans.toml")}
	for _, k := range qa.Kinds {
		args, ok := noticeArgs[k]
		if !ok {
			t.Errorf("%s: no sample arguments in noticeArgs (add them, and its title to both catalogs)", k)
			continue
		}
		id := NoticeID(k)
		if !c.Has(id) {
			t.Errorf("%s: no title in both catalogs (add %s to en.toml and zh-Hans.toml under [notice])", k, id)
			continue
		}
		for name, msgs := range raw {
			for _, m := range placeholderRE.FindAllStringSubmatch(msgs[id], -1) {
				if _, ok := args[m[1]]; !ok {
					t.Errorf("%s in %s uses {{.%s}}, which qa does not give this kind", id, name, m[1])
				}
			}
		}
		// As read back from the database: numbers are float64.
		stored, _ := json.Marshal(args)
		var back qa.Args
		json.Unmarshal(stored, &back)
		n := &qa.Notification{Kind: k, Args: back, Count: 1}
		enText, zhText := en.Notice(n), zh.Notice(n)
		for _, s := range []string{enText, zhText} {
			if s == id || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
				t.Errorf("%s: %q", k, s)
			}
			if title, ok := args["Title"].(string); ok && !strings.Contains(s, title) {
				t.Errorf("%s: %q does not name the title", k, s)
			}
			if strings.Contains(s, "2026-0") {
				t.Errorf("%s: %q shows a raw date", k, s)
			}
		}
		if !hasHan(zhText) || strings.Contains(zhText, "Your") {
			t.Errorf("%s: the Chinese title %q", k, zhText)
		}
		if _, ok := args["Date"]; ok && (!strings.Contains(enText, "2026") || !strings.Contains(zhText, "2026年")) {
			t.Errorf("%s: dates %q / %q", k, enText, zhText)
		}
		if _, ok := args["Count"]; ok {
			back["Count"] = float64(12345)
			many := en.Notice(&qa.Notification{Kind: k, Args: back, Count: 12345})
			if !strings.Contains(many, "12,345") || many == enText || !strings.Contains(zh.Notice(&qa.Notification{Kind: k, Args: back}), "12,345") {
				t.Errorf("%s: plural %q (one: %q)", k, many, enText)
			}
		}
	}
	if got := en.Notice(&qa.Notification{Kind: qa.KindDeclined, Args: qa.Args{"Title": "T", "Reason": "off topic"}}); got != "Your question “T” was declined: off topic" {
		t.Errorf("declined: %q", got)
	}
	if got := zh.Notice(&qa.Notification{Kind: qa.KindNewQuestions, Args: qa.Args{"Title": "T", "Count": float64(3)}}); got != "3 个新问题，最新的是“T”" {
		t.Errorf("new questions: %q", got)
	}
	// A grouped notification whose Args lack the count says its own.
	if got := en.Notice(&qa.Notification{Kind: qa.KindFollowedAnswers, Args: qa.Args{"Title": "T"}, Count: 2}); !strings.HasPrefix(got, "2 new answers") {
		t.Errorf("count from the row: %q", got)
	}
}
