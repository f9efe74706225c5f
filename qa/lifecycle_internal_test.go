package qa

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestTransitions walks every from × to × path and checks the table against
// the question's life written out here a second time, by hand: a change
// that slips into (or out of) the table fails this test.
func TestTransitions(t *testing.T) {
	allowed := map[string]bool{
		"new→pending by ask":                 true,
		"new→pending by import":              true,
		"new→declined by import":             true,
		"new→withdrawn by import":            true,
		"new→expired by import":              true,
		"pending→answered by publish":        true,
		"pending→answered by import":         true,
		"pending→declined by decline":        true,
		"pending→duplicate by duplicate":     true,
		"pending→duplicate by import":        true,
		"pending→withdrawn by withdraw":      true,
		"pending→expired by expire":          true,
		"answered→pending by delete answer":  true,
		"duplicate→pending by delete answer": true,
	}
	paths := []via{viaAsk, viaPublish, viaDecline, viaDuplicate, viaWithdraw, viaExpire, viaDeleteAnswer, viaImport}
	froms := append([]Status{statusNew}, Statuses()...)
	seen := 0
	for _, from := range froms {
		for _, to := range Statuses() {
			for _, w := range paths {
				name := fmt.Sprintf("%s→%s by %s", from, to, w)
				err := checkTransition(from, to, w)
				if allowed[name] {
					seen++
					if err != nil {
						t.Errorf("%s: refused: %v", name, err)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: allowed, the question's life does not have it", name)
					continue
				}
				if ErrorCode(err) != ECONFLICT {
					t.Errorf("%s: code %s, want conflict", name, ErrorCode(err))
				}
				want := E(KeyTransition, Args{"From": string(from), "To": string(to)})
				if from.Closed() {
					want = E(KeyQuestionClosed, Args{"Status": string(from)})
				}
				if !errors.Is(err, want) || ErrorMessage(err) != want.Message {
					t.Errorf("%s: %q, want %q", name, ErrorMessage(err), want.Message)
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("%d of %d allowed transitions met: a name above is misspelt", seen, len(allowed))
	}
}

// TestApplyStatus checks the fields each status sets and clears.
func TestApplyStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	asked := now.AddDate(-1, 0, 0)
	answer, target := int64(7), int64(9)
	for _, tc := range []struct {
		name     string
		from, to Status
		c        statusChange
		check    func(q *Question) bool
		wantKey  Key
	}{
		{"ask", "", StatusPending, statusChange{via: viaAsk}, func(q *Question) bool { return q.ClosedAt == nil }, ""},
		{"decline", StatusPending, StatusDeclined, statusChange{via: viaDecline, reason: "off topic"},
			func(q *Question) bool { return q.DeclineReason == "off topic" && q.ClosedAt.Equal(now) }, ""},
		{"decline without reason", StatusPending, StatusDeclined, statusChange{via: viaDecline}, nil, KeyReasonRequire},
		{"duplicate", StatusPending, StatusDuplicate, statusChange{via: viaDuplicate, duplicateOf: &target},
			func(q *Question) bool { return *q.DuplicateOfID == target && q.ClosedAt.Equal(now) }, ""},
		{"publish", StatusPending, StatusAnswered, statusChange{via: viaPublish, answerID: &answer},
			func(q *Question) bool { return *q.AnswerID == answer && q.ClosedAt.Equal(now) }, ""},
		{"import keeps the archive's date", "", StatusExpired, statusChange{via: viaImport, closedAt: &asked},
			func(q *Question) bool { return q.ClosedAt.Equal(asked) }, ""},
		{"delete answer reopens", StatusAnswered, StatusPending, statusChange{via: viaDeleteAnswer},
			func(q *Question) bool { return q.AnswerID == nil && q.ClosedAt == nil && q.DuplicateOfID == nil }, ""},
		{"the clock cannot decline", StatusPending, StatusDeclined, statusChange{via: viaExpire, reason: "x"}, nil, KeyTransition},
		{"an answered question stays answered", StatusAnswered, StatusExpired, statusChange{via: viaExpire}, nil, KeyQuestionClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &Question{Status: tc.from, AnswerID: &answer, ClosedAt: &asked}
			if tc.from == StatusPending || tc.from == "" {
				q.AnswerID, q.ClosedAt = nil, nil
			}
			err := applyStatus(q, tc.to, tc.c, now)
			if tc.wantKey != "" {
				if ErrorKey(err) != tc.wantKey || q.Status != tc.from {
					t.Fatalf("err = %v (status %s), want %s and no change", err, q.Status, tc.wantKey)
				}
				return
			}
			if err != nil || q.Status != tc.to || !q.UpdatedAt.Equal(now) || !tc.check(q) {
				t.Fatalf("question = %+v, %v", q, err)
			}
		})
	}
}
