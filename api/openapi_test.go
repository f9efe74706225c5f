package api_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"answerbook/api"
)

// validator checks every request and response the API tests make against
// the OpenAPI document: a response must always match it; a request must
// match it whenever the server accepted it (a refused request is expected
// not to). A route missing from the document fails the test.
type validator struct {
	t      testing.TB
	router routers.Router
	base   http.RoundTripper
}

func newValidator(t testing.TB, base http.RoundTripper) *validator {
	t.Helper()
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil // paths are matched without /api/v1 and without a host
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, router: r, base: base}
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.Method == http.MethodOptions {
		return v.base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.ContentLength >= 0 && req.ContentLength < 2<<20 {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	res, err := v.base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))

	check := req.Clone(context.Background())
	check.URL.Path = strings.TrimPrefix(req.URL.Path, "/api/v1")
	check.URL.RawPath = ""
	if reqBody != nil {
		check.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	route, params, ferr := v.router.FindRoute(check)
	if ferr != nil {
		if res.StatusCode == http.StatusNotFound {
			return res, nil // an unknown route answering 404 is right
		}
		v.t.Errorf("OpenAPI: %s %s is not in the document (status %d): %v", req.Method, req.URL.Path, res.StatusCode, ferr)
		return res, nil
	}
	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			v.t.Errorf("OpenAPI: accepted request %s %s does not match the document: %v", req.Method, req.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(resBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("OpenAPI: response %d to %s %s does not match the document: %v\nbody: %.300s", res.StatusCode, req.Method, req.URL.Path, err, resBody)
	}
	exercised.Store(req.Method+" "+route.Path, true)
	return res, nil
}

// exercised records every documented operation the tests called, across
// all tests of the package.
var exercised sync.Map

// TestMain runs the tests, then fails if a documented operation was never
// exercised: every route is checked against the document by some test.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && !testing.Short() && flagRunAll() {
		doc, err := api.OpenAPI()
		if err != nil {
			panic(err)
		}
		var missing []string
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				if _, ok := exercised.Load(method + " " + path); !ok {
					missing = append(missing, method+" "+path)
				}
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			fmt.Fprintf(os.Stderr, "OpenAPI operations no test exercised:\n  %s\n", strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// flagRunAll reports whether the whole package runs (no -run filter).
func flagRunAll() bool {
	f := flag.Lookup("test.run")
	return f == nil || f.Value.String() == ""
}

func TestOpenAPI_Document(t *testing.T) {
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths.Map()) < 12 {
		t.Fatalf("only %d paths documented", len(doc.Paths.Map()))
	}
	s := newServer(t)
	res, err := s.Client().Get(s.URL + "/api/openapi.json")
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/openapi.json: %v %v", res, err)
	}
	res.Body.Close()
}
