package qa_test

import (
	"bytes"
	"strings"
	"testing"

	"answerbook/internal/imagetest"
	"answerbook/qa"
)

// imageCount is how many images the store holds.
func (e *env) imageCount(t *testing.T) int64 {
	t.Helper()
	n, err := e.ImageCount(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStore_SaveImage(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert 专家", qa.RoleExpert)
		m := e.member(t, "Member 会员", qa.RoleMember)

		// The type comes from the bytes: a PNG named photo.jpg is a PNG
		// (the name never reaches qa), each allowed type with its size.
		for _, c := range []struct {
			name, ct, ext string
			data          []byte
			w, h          int
		}{
			{"PNG (uploaded as 截图.jpg)", "image/png", "png", imagetest.PNG(40, 30, 1), 40, 30},
			{"JPEG", "image/jpeg", "jpg", imagetest.JPEG(64, 48, 2), 64, 48},
			{"GIF", "image/gif", "gif", imagetest.GIF(20, 10, 3), 20, 10},
			{"WebP", "image/webp", "webp", imagetest.WebP, 1, 1},
		} {
			img, err := e.SaveImage(e.ctx, as(x), c.data)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if img.ContentType != c.ct || img.Width != c.w || img.Height != c.h || img.Size != int64(len(c.data)) ||
				len(img.SHA256) != 64 || img.URL() != "/images/"+img.SHA256+"."+c.ext || img.UploaderID == nil || *img.UploaderID != x.ID {
				t.Fatalf("%s: saved as %+v (%s)", c.name, img, img.URL())
			}
			got, err := e.FindImage(e.ctx, as(x), img.SHA256)
			if err != nil || !bytes.Equal(got.Data, c.data) || got.ContentType != c.ct {
				t.Fatalf("%s: the expert finds %v, %v", c.name, got, err)
			}
		}
		if n := e.imageCount(t); n != 4 {
			t.Fatalf("%d images stored, want 4", n)
		}

		t.Run("Refused", func(t *testing.T) {
			before := e.imageCount(t)
			png := imagetest.PNG(8, 8, 9)
			for _, c := range []struct {
				name string
				data []byte
				key  qa.Key
			}{
				{"text named 说明.png", []byte("这不是图片 this is not an image\n"), qa.KeyImageType},
				{"SVG (scripts)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), qa.KeyImageType},
				{"HTML", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), qa.KeyImageType},
				{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n"), qa.KeyImageType},
				{"empty", nil, qa.KeyImageEmpty},
				{"PNG signature, broken header", append(append([]byte{}, png[:12]...), "broken"...), qa.KeyImageBroken},
				{"5 MiB + 1 JPEG", imagetest.JPEGOfSize(qa.MaxImageBytes + 1), qa.KeyImageLarge},
				{"huge canvas", imagetest.GIF(qa.MaxImageSide+1, 1, 0), qa.KeyImagePixels},
			} {
				_, err := e.SaveImage(e.ctx, as(x), c.data)
				wantErrKey(t, err, c.key)
			}
			if n := e.imageCount(t); n != before {
				t.Fatalf("refused uploads stored something: %d images, want %d", n, before)
			}
			// Exactly the limit is fine.
			if _, err := e.SaveImage(e.ctx, as(x), imagetest.JPEGOfSize(qa.MaxImageBytes)); err != nil {
				t.Fatalf("a JPEG of exactly 5 MiB: %v", err)
			}
		})

		t.Run("ExpertOnly", func(t *testing.T) {
			_, err := e.SaveImage(e.ctx, as(m), imagetest.PNG(4, 4, 4))
			wantErrKey(t, err, qa.KeyExpertOnly)
			_, err = e.SaveImage(e.ctx, qa.Visitor(), imagetest.PNG(4, 4, 4))
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, err = e.SaveImage(e.ctx, asToken(x, qa.ScopeRead), imagetest.PNG(4, 4, 4))
			wantErrKey(t, err, qa.KeyReadOnly)
		})

		t.Run("SameBytesOneImage", func(t *testing.T) {
			data := imagetest.PNG(33, 33, 7)
			a, err := e.SaveImage(e.ctx, as(x), data)
			if err != nil {
				t.Fatal(err)
			}
			before := e.imageCount(t)
			b, err := e.SaveImage(e.ctx, as(x), bytes.Clone(data))
			if err != nil || b.ID != a.ID || b.SHA256 != a.SHA256 || e.imageCount(t) != before {
				t.Fatalf("the same bytes again: %+v, %v (first %+v)", b, err, a)
			}
		})
	})
}

func TestStore_FindImage_Visibility(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert 专家", qa.RoleExpert)
		m := e.member(t, "Member 会员", qa.RoleMember)
		lapsed := e.expired(t, "Lapsed")
		save := func(seed uint8) *qa.Image {
			img, err := e.SaveImage(e.ctx, as(x), imagetest.PNG(10, 10, seed))
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
		pub, members, unused, edited := save(1), save(2), save(3), save(4)

		// A public answer uses pub (by its relative URL); a member-only one
		// uses members (by an absolute URL) and, in its question, pub too.
		q1 := e.ask(t, m, "公开的图片问题 public picture", "body")
		a1, err := e.AnswerQuestion(e.ctx, as(x), q1.ID, qa.AnswerCreate{Public: true,
			Body: "看图 see: ![图](" + pub.URL() + ")"})
		if err != nil {
			t.Fatal(err)
		}
		q2 := e.ask(t, m, "会员的图片问题 members' picture", "body")
		qb := "问题里的图 ![](" + pub.URL() + ")"
		a2, err := e.AnswerQuestion(e.ctx, as(x), q2.ID, qa.AnswerCreate{QuestionBody: &qb,
			Body: "Members only ![diagram](https://answers.example.com" + members.URL() + ")"})
		if err != nil {
			t.Fatal(err)
		}

		type want struct {
			img  *qa.Image
			err  qa.Key // "" = sees it
			open bool   // Public
		}
		check := func(t *testing.T, who string, actor qa.Actor, ws ...want) {
			t.Helper()
			for _, w := range ws {
				got, err := e.FindImage(e.ctx, actor, w.img.SHA256)
				if w.err != "" {
					wantErrKey(t, err, w.err)
					continue
				}
				if err != nil || got.Public != w.open || got.Size != int64(len(got.Data)) || got.Size == 0 {
					t.Fatalf("%s finds %s: %+v, %v (want public=%v)", who, w.img.URL(), got, err, w.open)
				}
			}
		}
		check(t, "the expert", as(x), want{pub, "", true}, want{members, "", false}, want{unused, "", false})
		check(t, "a member", as(m), want{pub, "", true}, want{members, "", false}, want{unused, qa.KeyNotFound, false})
		check(t, "a visitor", qa.Visitor(), want{pub, "", true}, want{members, qa.KeyImageMembers, false}, want{unused, qa.KeyNotFound, false})
		check(t, "a lapsed member", as(lapsed), want{pub, "", true}, want{members, qa.KeyImageMembers, false})

		_, err = e.FindImage(e.ctx, as(x), strings.Repeat("0", 64))
		wantErrKey(t, err, qa.KeyNotFound)
		_, err = e.FindImage(e.ctx, as(x), "../etc/passwd")
		wantErrKey(t, err, qa.KeyNotFound)

		t.Run("FollowsEdits", func(t *testing.T) {
			// The member-only answer goes public: its image with it.
			if _, err := e.UpdateAnswer(e.ctx, as(x), a2.ID, qa.AnswerUpdate{Public: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			check(t, "a visitor", qa.Visitor(), want{members, "", true})
			// The public answer drops its image for another: the old one is
			// used only by the (now public) second answer's question.
			body := "换了图 new picture ![](" + edited.URL() + ")"
			if _, err := e.UpdateAnswer(e.ctx, as(x), a1.ID, qa.AnswerUpdate{Body: &body, Public: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			check(t, "a visitor", qa.Visitor(), want{pub, "", true}, want{edited, qa.KeyImageMembers, false})
			check(t, "a member", as(m), want{edited, "", false})
			// Unpublished: only the expert.
			if _, err := e.UpdateAnswer(e.ctx, as(x), a1.ID, qa.AnswerUpdate{Published: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			check(t, "a member", as(m), want{edited, qa.KeyNotFound, false})
			check(t, "the expert", as(x), want{edited, "", false})
			// Deleted: the links go with the answer.
			if err := e.DeleteAnswer(e.ctx, as(x), a2.ID); err != nil {
				t.Fatal(err)
			}
			check(t, "a visitor", qa.Visitor(), want{members, qa.KeyNotFound, false}, want{pub, qa.KeyNotFound, false})
		})
	})
}
