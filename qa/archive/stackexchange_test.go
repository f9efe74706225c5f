package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
)

const fixtureDir = "testdata/stackexchange/example.stackexchange.com"

func TestReadStackExchange_Fixture(t *testing.T) {
	var rec recorder
	var progress [][2]int64
	st, err := ReadStackExchange(context.Background(), fixtureDir, &rec, SEOptions{
		Progress: func(done, total int64) { progress = append(progress, [2]int64{done, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	const site = "example.stackexchange.com"
	at := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse("2006-01-02T15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	src := func(kind, id, lic string) string {
		return "\n\n*Source: [" + site + "/" + kind + "/" + id + "](https://" + site + "/" + kind + "/" + id + "), " + lic + "*"
	}
	cardanoTags := []string{"daedalus", "cardano-cli", "wallet"}
	nftTags := []string{"nft", "plutus"}
	want := []any{
		Question{
			SourceID: site + "/q/1934", Title: `Is it safe to point cardano-wallet at Daedalus "wallets" directory?`,
			Body:    "I'm running an instance of `cardano-wallet` which is already pointed at my Daedalus node socket. Would it be safe/possible to point to the `wallets` directory of Deadalus via the `--database` argument?" + src("q", "1934", "CC BY-SA 4.0"),
			Tags:    cardanoTags,
			AskedAt: at("2021-06-05T11:40:19.563"), Status: "answered",
		},
		// The accepted answer, with a code block.
		Answer{
			SourceID: site + "/a/1937", QuestionID: site + "/q/1934",
			Body: "I've tried a couple times now and it seems this is not possible. It does not corrupt Daedalus's database but throws errors instead.\n\n" +
				"```\nUnexpected error following the chain:\nuser error (restoreBlocks: given chain isn't a valid continuation.\nWallet is at: [...] but the given chain continues starting from: [...])\n```" +
				src("a", "1937", "CC BY-SA 4.0"),
			Tags: cardanoTags, PublishedAt: at("2021-06-05T16:37:04.107"),
		},
		Question{
			SourceID: site + "/q/2473", Title: "Official Cardona Telegram Channel?",
			Body:    "Is this an official Cardano Telegram channel?\n\n[https://t.me/Cardonacommunitychat](https://t.me/Cardonacommunitychat)" + src("q", "2473", "CC BY-SA 4.0"),
			Tags:    []string{"security"},
			AskedAt: at("2021-08-27T08:00:10.687"), Status: "answered",
		},
		// No accepted answer: the best-scored one.
		Answer{
			SourceID: site + "/a/2475", QuestionID: site + "/q/2473",
			Body: `No that is a scam! No one is ever going to "return ada to your wallet". There will never be an ada giveaway from IOG or Charles Hoskinson.` + src("a", "2475", "CC BY-SA 4.0"),
			Tags: []string{"security"}, PublishedAt: at("2021-08-27T08:14:21.343"),
		},
		Question{
			SourceID: site + "/q/9001", Title: "如何在 Cardano 上铸造 NFT？",
			Body:    "我想在 Cardano 上铸造一个 NFT，需要写 Plutus 合约吗？" + src("q", "9001", "CC BY-SA 4.0"),
			Tags:    nftTags,
			AskedAt: at("2021-09-01T08:00:00"), Status: "answered",
		},
		// The accepted answer wins over a better-scored one; no
		// ContentLicense: the default; MathJax escaped so that it renders
		// back to itself.
		Answer{
			SourceID: site + "/a/9002", QuestionID: site + "/q/9001",
			Body: `不需要。铸币策略可以用原生脚本。手续费为 $a \\cdot size + b$，其中 $a\_1 = 44$ 而 $b\_1 = 155381$：` + "\n\n" +
				`$$\\sum\_{i=1}^{n} fee\_i * 2$$` + src("a", "9002", "CC BY-SA"),
			Tags: nftTags, PublishedAt: at("2021-09-01T09:30:00.250"),
		},
		Problem{SourceID: site + "/q/9010", Reason: "no accepted or positively scored answer", Skipped: true},
		Question{
			SourceID: site + "/q/9020", Title: "How do I mint an NFT on Cardano?",
			Body:    "How can I create an NFT on Cardano? Do I need a smart contract?" + src("q", "9020", "CC BY-SA 4.0"),
			Tags:    []string{"nft"},
			AskedAt: at("2021-09-04T10:00:00"), Status: "duplicate", DuplicateOf: site + "/q/9001",
		},
		Question{
			SourceID: site + "/q/9030", Title: "Scores & <broken> rows",
			Body:    "Which answer wins when the best one is broken?" + src("q", "9030", "CC BY-SA 4.0"),
			Tags:    []string{"fees", "transactions"},
			AskedAt: at("2021-09-06T10:00:00"), Status: "answered",
		},
		Problem{SourceID: site + "/a/9031", Reason: `Score is not a whole number: "many"`},
		// A list, and a relative link made absolute.
		Answer{
			SourceID: site + "/a/9032", QuestionID: site + "/q/9030",
			Body: "- first\n- second, see [this question](https://example.stackexchange.com/q/9001)" + src("a", "9032", "CC BY-SA 4.0"),
			Tags: []string{"fees", "transactions"}, PublishedAt: at("2021-09-06T12:00:00"),
		},
		Problem{SourceID: site + "/q/9040", Reason: "the question has no title"},
		Question{
			SourceID: site + "/q/9051", Title: "An answer before its question",
			Body:    "Out of order." + src("q", "9051", "CC BY-SA 4.0"),
			Tags:    []string{"development"},
			AskedAt: at("2021-09-08T10:00:00"), Status: "answered",
		},
		Problem{Reason: `Posts.xml row at byte offset 7261: Id is not a positive whole number: "x9070"`},
		// Met before its question: passed after the whole file.
		Answer{
			SourceID: site + "/a/9050", QuestionID: site + "/q/9051",
			Body: "This answer comes before its question in the file." + src("a", "9050", "CC BY-SA 4.0"),
			Tags: []string{"development"}, PublishedAt: at("2021-09-08T11:00:00"),
		},
	}
	checkEvents(t, rec.events, want)

	wantStats := SEStats{Questions: 8, Answers: 13, EmittedQuestions: 6, EmittedAnswers: 5, Duplicates: 1, Skipped: 1, Failed: 3, Unchosen: 7}
	if st != wantStats {
		t.Errorf("stats:\n got %+v\nwant %+v", st, wantStats)
	}

	fi, err := os.Stat(filepath.Join(fixtureDir, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	size := fi.Size()
	wantProgress := [][2]int64{{size, 2 * size}, {2 * size, 2 * size}, {3 * size, 3 * size}}
	if len(progress) != len(wantProgress) || progress[0] != wantProgress[0] || progress[1] != wantProgress[1] || progress[2] != wantProgress[2] {
		t.Errorf("progress %v, want %v", progress, wantProgress)
	}
}

// TestReadStackExchange_MathJax renders the Markdown of an imported answer
// as CommonMark and checks that the MathJax comes out as it went in.
func TestReadStackExchange_MathJax(t *testing.T) {
	var rec recorder
	if _, err := ReadStackExchange(context.Background(), fixtureDir, &rec, SEOptions{}); err != nil {
		t.Fatal(err)
	}
	var body string
	for _, ev := range rec.events {
		if a, ok := ev.(Answer); ok && a.SourceID == "example.stackexchange.com/a/9002" {
			body = a.Body
		}
	}
	var html bytes.Buffer
	if err := goldmark.Convert([]byte(body), &html); err != nil {
		t.Fatal(err)
	}
	for _, math := range []string{`$a \cdot size + b$`, `$a_1 = 44$`, `$b_1 = 155381$`, `$$\sum_{i=1}^{n} fee_i * 2$$`} {
		if !strings.Contains(html.String(), math) {
			t.Errorf("%s is not in the rendered answer:\n%s", math, html.String())
		}
	}
}

// writeDump makes a dump directory named site holding the given files.
func writeDump(t *testing.T, site string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), site)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func posts(rows ...string) string {
	return "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n  " + strings.Join(rows, "\n  ") + "\n</posts>\n"
}

func links(rows ...string) string {
	return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<postlinks>\n  " + strings.Join(rows, "\n  ") + "\n</postlinks>\n"
}

// q and a write Posts.xml rows; extra attributes override the defaults.
func q(id string, extra ...string) string {
	return row(map[string]string{"Id": id, "PostTypeId": "1", "CreationDate": "2021-01-01T00:00:00.000", "Score": "1",
		"Body": "&lt;p&gt;Question " + id + "&lt;/p&gt;", "Title": "Question " + id, "Tags": "&lt;t&gt;"}, extra)
}

func a(id, parent, score string, extra ...string) string {
	return row(map[string]string{"Id": id, "PostTypeId": "2", "ParentId": parent, "CreationDate": "2021-01-02T00:00:00.000",
		"Score": score, "Body": "&lt;p&gt;Answer " + id + "&lt;/p&gt;"}, extra)
}

func row(attrs map[string]string, extra []string) string {
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		if v == "-" {
			delete(attrs, k)
			continue
		}
		attrs[k] = v
	}
	var b strings.Builder
	b.WriteString("<row")
	for _, k := range []string{"Id", "PostTypeId", "ParentId", "AcceptedAnswerId", "CreationDate", "Score", "Body", "Title", "Tags", "ContentLicense"} {
		if v, ok := attrs[k]; ok {
			b.WriteString(" " + k + `="` + v + `"`)
		}
	}
	b.WriteString(" />")
	return b.String()
}

func TestReadStackExchange_Rules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		posts string
		links string
		want  []string
	}{
		{
			name:  "AcceptedBeatsScore",
			posts: posts(q("1", "AcceptedAnswerId=3"), a("2", "1", "10"), a("3", "1", "-1")),
			want:  []string{"Q s.example/q/1 answered", "A s.example/a/3 to s.example/q/1"},
		},
		{
			name:  "AcceptedMissingFallsBackToScore",
			posts: posts(q("1", "AcceptedAnswerId=99"), a("2", "1", "1"), a("3", "1", "2")),
			want:  []string{"Q s.example/q/1 answered", "A s.example/a/3 to s.example/q/1"},
		},
		{
			name:  "AcceptedOfAnotherQuestion",
			posts: posts(q("1", "AcceptedAnswerId=4"), a("2", "1", "0"), q("3"), a("4", "3", "0")),
			want: []string{
				"P skipped s.example/q/1: no accepted or positively scored answer",
				"P skipped s.example/q/3: no accepted or positively scored answer",
			},
		},
		{
			name:  "TieGoesToLowerId",
			posts: posts(q("1"), a("5", "1", "2"), a("3", "1", "2"), a("4", "1", "1")),
			want:  []string{"Q s.example/q/1 answered", "A s.example/a/3 to s.example/q/1"},
		},
		{
			name:  "NoAnswers",
			posts: posts(q("1")),
			want:  []string{"P skipped s.example/q/1: no accepted or positively scored answer"},
		},
		{
			name:  "MalformedAcceptedAnswerIsNotChosen",
			posts: posts(q("1", "AcceptedAnswerId=2"), a("2", "1", "5", "CreationDate=yesterday"), a("3", "1", "1")),
			want: []string{
				"Q s.example/q/1 answered",
				`P failed s.example/a/2: CreationDate is not a date: "yesterday"`,
				"A s.example/a/3 to s.example/q/1",
			},
		},
		{
			name: "MalformedRows",
			posts: posts(
				q("1", "CreationDate=-"), q("2", "Title=-"), q("3", "AcceptedAnswerId=x"), q("4", "PostTypeId=one"),
				a("5", "-3", "1"), a("6", "1", "1", "ParentId=-"), a("7", "1", "1", "Body=  "), q("0"), q("8", "Body=&lt;b&gt;"+strings.Repeat("x", 200)),
				`<row Id="9" PostTypeId="7" />`, `<other Id="x" />`,
			),
			want: []string{
				"P failed s.example/q/1: CreationDate is missing",
				"P failed s.example/q/2: the question has no title",
				`P failed s.example/q/3: AcceptedAnswerId is not a positive whole number: "x"`,
				`P failed: Posts.xml row at byte offset 477: PostTypeId is not a positive whole number: "one"`,
				`P failed s.example/a/5: ParentId is not a positive whole number: "-3"`,
				"P failed s.example/a/6: ParentId is missing",
				"P failed s.example/a/7: the answer has no body",
				`P failed: Posts.xml row at byte offset 983: Id is not a positive whole number: "0"`,
				"P failed s.example/q/8: the body is larger than 128 bytes",
			},
		},
		{
			name:  "RepeatedId",
			posts: posts(q("1"), a("2", "1", "1"), q("1"), a("2", "1", "1")),
			want:  []string{"Q s.example/q/1 answered", "A s.example/a/2 to s.example/q/1", "P failed s.example/q/1: the post Id is repeated"},
		},
		{
			name:  "DuplicateWithoutAnswers",
			posts: posts(q("1"), a("2", "1", "1"), q("3")),
			links: links(`<row Id="1" PostId="3" RelatedPostId="1" LinkTypeId="3" />`, `<row Id="2" PostId="1" RelatedPostId="3" LinkTypeId="1" />`),
			want:  []string{"Q s.example/q/1 answered", "A s.example/a/2 to s.example/q/1", "Q s.example/q/3 duplicate of s.example/q/1"},
		},
		{
			name:  "DuplicateBeforeOriginalAnswersDropped",
			posts: posts(q("3"), a("4", "3", "9"), q("1"), a("2", "1", "1")),
			links: links(`<row Id="1" PostId="3" RelatedPostId="1" LinkTypeId="3" />`),
			want:  []string{"Q s.example/q/3 duplicate of s.example/q/1", "Q s.example/q/1 answered", "A s.example/a/2 to s.example/q/1"},
		},
		{
			name:  "DuplicateChain",
			posts: posts(q("1"), a("2", "1", "1"), q("3"), q("4"), q("5")),
			links: links(
				`<row Id="1" PostId="4" RelatedPostId="3" LinkTypeId="3" />`,
				`<row Id="2" PostId="3" RelatedPostId="1" LinkTypeId="3" />`,
				`<row Id="3" PostId="5" RelatedPostId="5" LinkTypeId="3" />`, // to itself: ignored
			),
			want: []string{
				"Q s.example/q/1 answered", "A s.example/a/2 to s.example/q/1",
				"Q s.example/q/3 duplicate of s.example/q/1",
				"Q s.example/q/4 duplicate of s.example/q/1",
				"P skipped s.example/q/5: no accepted or positively scored answer",
			},
		},
		{
			name:  "DuplicatePrefersAnsweredOriginal",
			posts: posts(q("1"), a("2", "1", "1"), q("3"), q("4"), q("6")),
			links: links(
				`<row Id="1" PostId="4" RelatedPostId="3" LinkTypeId="3" />`,
				`<row Id="2" PostId="4" RelatedPostId="1" LinkTypeId="3" />`,
				`<row Id="3" PostId="6" RelatedPostId="3" LinkTypeId="3" />`,
				`<row Id="4" PostId="6" RelatedPostId="3" LinkTypeId="3" />`,
			),
			want: []string{
				"Q s.example/q/1 answered", "A s.example/a/2 to s.example/q/1",
				"P skipped s.example/q/3: no accepted or positively scored answer",
				"Q s.example/q/4 duplicate of s.example/q/1",
				"Q s.example/q/6 duplicate of s.example/q/3", // no answered original: the first
			},
		},
		{
			name:  "DuplicateCycle",
			posts: posts(q("1"), q("3")),
			links: links(`<row Id="1" PostId="1" RelatedPostId="3" LinkTypeId="3" />`, `<row Id="2" PostId="3" RelatedPostId="1" LinkTypeId="3" />`),
			want:  []string{"Q s.example/q/1 duplicate of s.example/q/3", "Q s.example/q/3 duplicate of s.example/q/1"},
		},
		{
			name:  "MalformedLink",
			posts: posts(q("1")),
			links: links(`<row Id="1" PostId="x" RelatedPostId="1" LinkTypeId="3" />`, `<row Id="2" PostId="y" RelatedPostId="z" LinkTypeId="1" />`),
			want: []string{
				`P failed: PostLinks.xml row at byte offset 53: PostId is not a positive whole number: "x"`,
				"P skipped s.example/q/1: no accepted or positively scored answer",
			},
		},
		{
			name:  "EmptyPosts",
			posts: "<posts/>",
			want:  []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"Posts.xml": tc.posts}
			if tc.links != "" {
				files["PostLinks.xml"] = tc.links
			}
			dir := writeDump(t, "s.example", files)
			var rec recorder
			lim := defaultSELimits
			lim.body = 128
			if _, err := readStackExchange(context.Background(), dir, &rec, SEOptions{}, lim); err != nil {
				t.Fatal(err)
			}
			checkSummaries(t, rec.events, tc.want)
			checkInvariants(t, rec.events)
		})
	}
}

func TestReadStackExchange_Tags(t *testing.T) {
	for in, want := range map[string][]string{
		"<a><b-c><c#>": {"a", "b-c", "c#"},
		"|a|b-c|c#|":   {"a", "b-c", "c#"},
		"<a><><b>":     {"a", "b"},
		"a b":          {"a", "b"},
		"  ":           nil,
		"<>":           nil,
	} {
		got := parseTags(in)
		if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != len(want) {
			t.Errorf("parseTags(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadStackExchange_Errors(t *testing.T) {
	good := posts(q("1"), a("2", "1", "1"))
	for _, tc := range []struct {
		name  string
		site  string
		files map[string]string
		opt   SEOptions
		want  string // a regular expression
	}{
		{name: "NoPosts", files: map[string]string{"Tags.xml": "<tags/>"}, want: `s\.example has no Posts\.xml`},
		{name: "SyntaxError", files: map[string]string{"Posts.xml": posts(q("1"), `<row Id="2" PostTypeId="1" Title="x & y" />`)},
			want: `/Posts\.xml: byte offset \d+: XML syntax error on line 4: invalid character entity & \(no semicolon\)`},
		{name: "Truncated", files: map[string]string{"Posts.xml": "<posts>\n<row Id=\"1\" PostTypeId=\"1\" />\n"},
			want: `/Posts\.xml: byte offset 38: XML syntax error on line 3: unexpected EOF`},
		{name: "NotXML", files: map[string]string{"Posts.xml": "Id,PostTypeId\n1,1\n"}, want: `/Posts\.xml: no XML element in the file`},
		{name: "InvalidUTF8", files: map[string]string{"Posts.xml": posts(q("1", "Title=bad \xff"))}, want: `/Posts\.xml: byte offset \d+: XML syntax error on line 3: invalid UTF-8`},
		{name: "BadLinks", files: map[string]string{"Posts.xml": good, "PostLinks.xml": "<postlinks><row></postlinks>"}, want: `/PostLinks\.xml: byte offset \d+: XML syntax error`},
		{name: "TokenTooLarge", files: map[string]string{"Posts.xml": posts(q("1", "Body="+strings.Repeat("x", 5000)))},
			want: `/Posts\.xml: byte offset 52: an element or text is larger than 4096 bytes`},
		{name: "CommentTooLarge", files: map[string]string{"Posts.xml": "<posts><!-- " + strings.Repeat("<<", 3000) + " --></posts>"},
			want: `an element or text is larger than 4096 bytes`},
		{name: "TooDeep", files: map[string]string{"Posts.xml": strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20)},
			want: `/Posts\.xml: byte offset 24: elements nest more than 8 deep`},
		{name: "BadSite", site: "not a site", files: map[string]string{"Posts.xml": good}, want: `the site name "not a site" is not a host name`},
		{name: "BadSiteOption", files: map[string]string{"Posts.xml": good}, opt: SEOptions{Site: "x/y"}, want: `the site name "x/y" is not a host name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := tc.site
			if site == "" {
				site = "s.example"
			}
			dir := writeDump(t, site, tc.files)
			var rec recorder
			_, err := readStackExchange(context.Background(), dir, &rec, tc.opt, seLimits{body: 1024, token: 4096, depth: 8})
			if err == nil || !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Fatalf("got error %v, want one matching %s", err, tc.want)
			}
		})
	}
}

func TestReadStackExchange_Options(t *testing.T) {
	dir := writeDump(t, "dump", map[string]string{"Posts.xml": posts(q("1"), a("2", "1", "1", "ContentLicense=CC BY-SA 3.0"), q("3", "ContentLicense=*evil*](x)"), a("4", "3", "1"))})
	var rec recorder
	st, err := ReadStackExchange(context.Background(), dir, &rec, SEOptions{Site: "physics.stackexchange.com"})
	if err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, rec.events, []string{
		"Q physics.stackexchange.com/q/1 answered", "A physics.stackexchange.com/a/2 to physics.stackexchange.com/q/1",
		"Q physics.stackexchange.com/q/3 answered", "A physics.stackexchange.com/a/4 to physics.stackexchange.com/q/3",
	})
	if got, want := rec.events[1].(Answer).Body, "Answer 2\n\n*Source: [physics.stackexchange.com/a/2](https://physics.stackexchange.com/a/2), CC BY-SA 3.0*"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if got, want := rec.events[2].(Question).Body, "Question 3\n\n*Source: [physics.stackexchange.com/q/3](https://physics.stackexchange.com/q/3), CC BY-SA*"; got != want {
		t.Errorf("a licence that is not one is not copied: body %q, want %q", got, want)
	}
	if st.EmittedQuestions != 2 || st.EmittedAnswers != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestReadStackExchange_Stops(t *testing.T) {
	dir := writeDump(t, "s.example", map[string]string{"Posts.xml": posts(q("1"), a("2", "1", "1"), q("3"), a("4", "3", "1"))})
	t.Run("SinkError", func(t *testing.T) {
		rec := recorder{stopAt: "s.example/a/2"}
		if _, err := ReadStackExchange(context.Background(), dir, &rec, SEOptions{}); err != errStop {
			t.Fatalf("got %v, want the sink's error", err)
		}
		checkSummaries(t, rec.events, []string{"Q s.example/q/1 answered"})
	})
	t.Run("Canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		rec := recorder{}
		n := 0
		_, err := ReadStackExchange(ctx, dir, &rec, SEOptions{Progress: func(done, total int64) {
			if n++; n == 1 {
				cancel() // after pass 1
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if len(rec.events) != 0 {
			t.Errorf("got %d records after cancel", len(rec.events))
		}
	})
}

func TestHTMLToMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"Empty", "", ""},
		{"CodeLanguage", `<pre class="lang-haskell s-code-block"><code class="hljs language-haskell">main = putStrLn "hi &amp; bye"` + "\n</code></pre>",
			"```haskell\nmain = putStrLn \"hi & bye\"\n```"},
		{"CodeWithFence", "<pre><code>```\nx\n```\n</code></pre>", "````\n```\nx\n```\n````"},
		{"InlineCode", "<p>Run <code>cardano-cli query tip</code>.</p>", "Run `cardano-cli query tip`."},
		{"CodeInQuote", "<blockquote><p>Try:</p><pre><code>a\n\nb\n</code></pre></blockquote>", "> Try:\n> \n> ```\n> a\n> \n> b\n> ```"},
		{"CodeInNestedQuote", "<blockquote><blockquote><pre><code>a\nb\n</code></pre></blockquote></blockquote>", "> > ```\n> > a\n> > b\n> > ```"},
		{"StrikeAroundCode", "<p><s>Old:</p><pre><code>x\ny\n</code></pre><p>gone</s></p>", "~~Old:~~\n\n```\nx\ny\n```\n\n~~gone~~"},
		{"Lists", "<ol><li>one</li><li>two<ul><li>two and a half</li></ul></li></ol>", "1. one\n2. two\n   \n   - two and a half"},
		{"Table", `<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1<br>2</td><td><a href="/q/1">q</a></td></tr></tbody></table>`,
			"| a | b |\n|---|---|\n| 1  <br />2 | [q](https://s.example/q/1) |"},
		{"Image", `<p><img src="https://i.sstatic.net/x.png" alt="diagram"></p>`, "![diagram](https://i.sstatic.net/x.png)"},
		{"MathJax", `<p>$\alpha_1 * \beta_{2}$ and $$\left| 0 \right&gt; [x]$$</p>`, `$\\alpha\_1 * \\beta\_{2}$ and $$\\left| 0 \\right&gt; \[x]$$`},
		{"Brackets", "<p>[not a link](x) [</p>", `\[not a link](x) \[`},
		{"Script", "<p>a</p><script>alert(1)</script>", "a"},
		{"Chinese", "<p>如何在 Cardano 上铸造 NFT？</p>", "如何在 Cardano 上铸造 NFT？"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := htmlToMarkdown(context.Background(), tc.in, "https://s.example")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	t.Run("TooDeep", func(t *testing.T) {
		_, err := htmlToMarkdown(context.Background(), strings.Repeat("<div>", 1000), "https://s.example")
		if !errors.Is(err, errConvert) {
			t.Fatalf("got %v, want errConvert", err)
		}
	})
}

// TestHTMLToMarkdown_Linear guards against the quadratic cases found in
// the converter: a long line of "[" took minutes for 1 MiB.
func TestHTMLToMarkdown_Linear(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, pat := range []string{"[", "<s><p>x", "a_", "!"} {
		small := strings.Repeat(pat, (16<<10)/len(pat))
		big := strings.Repeat(pat, (256<<10)/len(pat))
		ts, tb := timeConvert(t, small), timeConvert(t, big)
		// 16 times the input: linear is about 16 times the time; allow
		// for noise on a shared machine, but not for 256 times.
		if tb > 60*ts+100*time.Millisecond {
			t.Errorf("%q: %v for 16 KiB but %v for 256 KiB", pat, ts, tb)
		}
	}
}

// timeConvert is the fastest of three conversions of h: the minimum is
// what the work costs, whatever else the shared machine was doing.
func timeConvert(t *testing.T, h string) time.Duration {
	t.Helper()
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		if _, err := htmlToMarkdown(context.Background(), h, "https://s.example"); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	return best
}
