package api_test

import (
	"fmt"
	"strings"
	"testing"

	"answerbook/qa"
)

// Finding: an unpublished answer read by the expert through the API was
// sent "Cache-Control: public"; a stock nginx cache then served it to a
// visitor. Only published public answers are public.
func TestSecurity_UnpublishedAnswerNotPublicCache(t *testing.T) {
	s := newServer(t)
	x, pub, _ := publishTwo(t, s)
	want(t, s.call(t, "PUT", fmt.Sprintf("/api/v1/answers/%d", pub.ID), x.token, map[string]any{"published": false}, nil), 200, "unpublish")
	auth := map[string]string{"Authorization": "Bearer " + x.token}
	res, _ := s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), auth)
	cc := res.Header.Get("Cache-Control")
	if res.StatusCode != 200 || strings.Contains(cc, "public") || !strings.HasPrefix(cc, "private") {
		t.Fatalf("unpublished answer for the expert: %d Cache-Control %q", res.StatusCode, cc)
	}
	// The conditional path (304 from the version alone) says the same.
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"Authorization": "Bearer " + x.token, "If-None-Match": res.Header.Get("ETag")})
	if res.StatusCode != 304 || strings.Contains(res.Header.Get("Cache-Control"), "public") {
		t.Fatalf("revalidated: %d Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	// Published again, it is public again.
	want(t, s.call(t, "PUT", fmt.Sprintf("/api/v1/answers/%d", pub.ID), x.token, map[string]any{"published": true}, nil), 200, "publish")
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), nil)
	if !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Fatalf("published public answer: %q", res.Header.Get("Cache-Control"))
	}
}

// Finding: 304 on If-Modified-Since alone ignored who asks: a client that
// cached a visitor's teaser (or a member's full text) was told its copy was
// current for someone else. What depends on who asks revalidates with the
// ETag only.
func TestSecurity_IfModifiedSinceAloneIgnoresViewer(t *testing.T) {
	s := newServer(t)
	_, pub, priv := publishTwo(t, s)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeRead, nil)

	// A visitor's teaser of the member-only answer, then the member asks
	// with If-Modified-Since alone: the full answer, not 304.
	res, teaser := s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), nil)
	lm := res.Header.Get("Last-Modified")
	if res.StatusCode != 200 || lm == "" || strings.Contains(teaser, "42 and 43") {
		t.Fatalf("visitor: %d lm=%q", res.StatusCode, lm)
	}
	res, body := s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), map[string]string{"Authorization": "Bearer " + m.token, "If-Modified-Since": lm})
	if res.StatusCode != 200 || !strings.Contains(body, "42 and 43") {
		t.Fatalf("member with If-Modified-Since alone: %d", res.StatusCode)
	}
	// And the other way round.
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), map[string]string{"If-Modified-Since": lm})
	if res.StatusCode != 200 {
		t.Fatalf("visitor with If-Modified-Since alone: %d", res.StatusCode)
	}
	// The ETag still revalidates each one's own copy.
	auth := map[string]string{"Authorization": "Bearer " + m.token}
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), auth)
	auth["If-None-Match"] = res.Header.Get("ETag")
	if res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), auth); res.StatusCode != 304 {
		t.Fatalf("member's ETag: %d", res.StatusCode)
	}
	// A published public answer is the same for everyone: the date is enough.
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), nil)
	if res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"If-Modified-Since": res.Header.Get("Last-Modified")}); res.StatusCode != 304 {
		t.Fatalf("public answer, If-Modified-Since: %d", res.StatusCode)
	}
}
