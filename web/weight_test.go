package web_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
)

// pageWeightBudget is the most bytes (HTML + CSS + JS, uncompressed) a
// page of the archive may weigh.
const pageWeightBudget = 40 << 10

// weigh returns the bytes of a page's HTML and of the stylesheets and
// scripts it loads.
func weigh(t testing.TB, b *browser, path string) (html, css, js int) {
	t.Helper()
	p := b.get(t, path)
	if p.status() != 200 {
		t.Fatalf("%s: %d", path, p.status())
	}
	html = len(p.body)
	fetch := func(src string) int {
		res, err := b.http.Get(b.site.URL + src)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		n, _ := io.Copy(io.Discard, res.Body)
		return int(n)
	}
	for _, href := range p.doc.Find(`link[rel=stylesheet]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") }) {
		css += fetch(href)
	}
	for _, src := range p.doc.Find(`script[src]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("src", "") }) {
		js += fetch(src)
	}
	return html, css, js
}

// TestPageWeight measures the home, search and answer pages as a member
// sees them (their largest form) and holds them to a budget.
func TestPageWeight(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 25; i++ {
		f.publish(t, fmt.Sprintf("面试问题 %d：如何回答“你的缺点是什么”", i), strings.Repeat("诚实地说出一个真实的缺点，并说明你如何改进。 ", 20), false, "面试", "沟通")
	}
	b := f.signIn(t, f.member, "zh-CN")
	for _, path := range []string{"/", "/search?q=" + url.QueryEscape("面试"), fmt.Sprintf("/answers/%d", f.pub.ID), "/ask"} {
		html, css, js := weigh(t, b, path)
		total := html + css + js
		t.Logf("page weight %-40s HTML %6d + CSS %5d + JS %5d = %6d bytes", path, html, css, js, total)
		if total > pageWeightBudget {
			t.Errorf("%s weighs %d bytes, over the budget of %d", path, total, pageWeightBudget)
		}
	}
}

// storefrontBudget is the most bytes (HTML + CSS + JS, uncompressed) the
// visitor's home and join pages may weigh, and storefrontWireBudget the
// most they may cost on the wire, gzip-compressed.
const (
	storefrontBudget     = 40 << 10
	storefrontWireBudget = 12 << 10
)

// weighWire returns what a page and the stylesheets and scripts it loads
// cost on the wire with Accept-Encoding: enc (the bytes as sent,
// compressed when the server compresses them).
func weighWire(t testing.TB, b *browser, path, enc string) int {
	t.Helper()
	client := &http.Client{Jar: b.http.Jar, Timeout: 20 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	get := func(p string) []byte {
		req, _ := http.NewRequest("GET", b.site.URL+p, nil)
		req.Header.Set("Accept-Encoding", enc)
		req.Header.Set("Accept-Language", b.lang)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != enc && len(raw) >= 1024 {
			t.Fatalf("%s: %d, Content-Encoding %q", p, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		return raw
	}
	n := len(get(path))
	p := b.get(t, path)
	for _, sel := range []string{`link[rel=stylesheet]`, `script[src]`} {
		for _, u := range p.doc.Find(sel).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", s.AttrOr("src", "")) }) {
			n += len(get(u))
		}
	}
	return n
}

// TestPageWeight_Storefront measures the pages a visitor comes to first,
// the home page (with a full list of teasers and tags) and the join page,
// in both languages, uncompressed and compressed on the wire (gzip, zstd),
// and holds them to budgets.
func TestPageWeight_Storefront(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 25; i++ {
		f.publish(t, fmt.Sprintf("面试问题 %d：如何回答“你的缺点是什么” How to answer the weakness question", i), strings.Repeat("诚实地说出一个真实的缺点，并说明你如何改进。 ", 20), i%5 == 0, "面试", "沟通", fmt.Sprintf("tag%d", i))
	}
	for _, lang := range []string{"zh-CN", "en"} {
		b := f.browser(lang)
		for _, path := range []string{"/", "/join"} {
			html, css, js := weigh(t, b, path)
			total := html + css + js
			wire, zstd := weighWire(t, b, path, "gzip"), weighWire(t, b, path, "zstd")
			t.Logf("visitor page weight %-5s %-6s HTML %6d + CSS %5d + JS %5d = %6d bytes; on the wire: gzip %6d, zstd %6d bytes", lang, path, html, css, js, total, wire, zstd)
			if total > storefrontBudget {
				t.Errorf("%s %s weighs %d bytes, over the budget of %d", lang, path, total, storefrontBudget)
			}
			if wire > storefrontWireBudget {
				t.Errorf("%s %s costs %d bytes gzip-compressed, over the budget of %d", lang, path, wire, storefrontWireBudget)
			}
		}
	}
}

// BenchmarkSearchPage renders the search page, through the real router
// and a real HTTP connection, for a member searching an archive of 10,000
// answers: the session, the search, one query for the hits' answers, the
// template.
func BenchmarkSearchPage(b *testing.B) {
	s := newSite(b)
	seedArchive(b, s, 10000)
	m := s.person(b, "读者", qa.RoleMember, nil)
	br := s.signIn(b, m, "zh-CN")
	for _, q := range []string{"面试 准备", "kubernetes deployment"} {
		path := "/search?q=" + url.QueryEscape(q)
		p := br.get(b, path)
		if p.status() != 200 || p.doc.Find("ol.list > li").Length() != 20 {
			b.Fatalf("%s: %d, %d hits", q, p.status(), p.doc.Find("ol.list > li").Length())
		}
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			req, _ := http.NewRequest("GET", s.URL+path, nil)
			for b.Loop() {
				res, err := br.http.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatal(res.Status)
				}
			}
		})
	}
}

// seedArchive imports n answers made of a bilingual vocabulary, in
// batches, and waits until search holds them all.
func seedArchive(b testing.TB, s *site, n int) {
	b.Helper()
	zh := strings.Fields("面试 准备 系统设计 薪资 谈判 简历 项目 经验 团队 管理 沟通 技术 架构 数据库 缓存 分布式 性能 优化 职业 规划 跳槽 学习 算法 编程 产品 需求 测试 部署 运维 安全 " +
		"前端 后端 移动端 云计算 容器 微服务 消息队列 日志 监控 告警 故障 复盘 代码 评审 重构 文档 开源 社区 领导力 绩效 晋升 加薪 离职 入职 试用期 合同 期权 股票 " +
		"远程 办公 效率 时间 压力 健康 睡眠 运动 读书 写作 演讲 英语 留学 考研 转行 创业 融资 客户 销售 市场 运营 增长 用户 数据 分析 指标 模型 机器学习 推荐 搜索 " +
		"网络 协议 操作系统 内存 线程 并发 锁 事务 索引 查询 分库 分表 一致性 可用性 扩展 负载 均衡 限流 降级 熔断 灰度 发布 回滚 版本 依赖 构建 持续 集成")
	en := strings.Fields("interview prepare design salary negotiation resume project experience team management communication kubernetes deployment database cache distributed performance career planning learning algorithm testing security " +
		"frontend backend mobile cloud container microservice queue logging monitoring alerting incident postmortem review refactor documentation opensource leadership promotion raise onboarding contract equity " +
		"remote productivity stress health writing speaking startup funding customer sales marketing growth analytics metrics model recommendation search network protocol memory thread concurrency lock transaction " +
		"index query sharding consistency availability scaling balancing ratelimit rollback version dependency build integration golang python rust java typescript react postgres redis kafka terraform")
	tags := strings.Fields("面试 职业 系统设计 薪资 管理 career go kubernetes database 沟通 算法 产品")
	r := rand.New(rand.NewPCG(1, 2))
	words := func(k int) string {
		var sb strings.Builder
		for i := 0; i < k; i++ {
			if r.IntN(3) == 0 {
				sb.WriteString(" " + en[r.IntN(len(en))] + " ")
			} else {
				sb.WriteString(zh[r.IntN(len(zh))])
			}
		}
		return strings.TrimSpace(sb.String())
	}
	ctx := context.Background()
	const batch = 500
	start := time.Now()
	for i := 0; i < n; i += batch {
		var qs []qa.ImportQuestion
		var as []qa.ImportAnswer
		for j := i; j < min(n, i+batch); j++ {
			id := fmt.Sprintf("bench-%d", j)
			qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: words(6) + "？", Body: words(20), Tags: []string{tags[r.IntN(len(tags))]}, AskedAt: start, Status: qa.StatusAnswered})
			as = append(as, qa.ImportAnswer{SourceID: "a" + id, QuestionSourceID: "q" + id, Body: "## " + words(4) + "\n\n" + words(60) + "\n\n- " + words(10) + "\n- " + words(10),
				Tags: []string{tags[r.IntN(len(tags))], tags[r.IntN(len(tags))]}, PublishedAt: start.Add(-time.Duration(j) * time.Minute), Public: j%10 == 0})
		}
		if _, err := s.store.ImportBatch(ctx, qa.System(), qs, as); err != nil {
			b.Fatal(err)
		}
	}
	seq, err := s.store.LastChangeSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := s.index.WaitFor(wctx, seq); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d answers in %s", n, time.Since(start).Round(time.Millisecond))
}
