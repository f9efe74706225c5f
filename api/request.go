package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// decode reads one JSON object from the body into v. Unknown fields are
// ignored; malformed JSON, invalid UTF-8 (which encoding/json would silently
// replace), wrong types and trailing data are EINVALID; a body over the limit
// is ETOOLARGE.
func decode(c *gin.Context, v any) error {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return qa.E(qa.KeyBodyLarge, qa.Args{"Max": mbe.Limit})
		}
		return qa.E(qa.KeyBodyUnreadable, nil)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return qa.E(qa.KeyBodyEmpty, nil)
	}
	if !utf8.Valid(raw) {
		return qa.E(qa.KeyBodyUTF8, nil)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		var (
			syn *json.SyntaxError
			typ *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &syn):
			return qa.E(qa.KeyJSONSyntax, qa.Args{"Offset": syn.Offset})
		case errors.As(err, &typ):
			if typ.Field != "" {
				return qa.E(qa.KeyJSONType, qa.Args{"Name": typ.Field, "Kind": jsonKind(typ.Type.Kind().String())})
			}
			return qa.E(qa.KeyJSONObject, nil)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return qa.E(qa.KeyJSONEnd, nil)
		}
		return qa.E(qa.KeyJSONMalformed, nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return qa.E(qa.KeyJSONOne, nil)
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// pathID parses the :id parameter; anything but a positive integer is
// ENOTFOUND, as an id that does not exist.
func pathID(c *gin.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, qa.E(qa.KeyNotFound, qa.Args{"What": what})
	}
	return id, nil
}

// page reads page and per_page (qa.ParsePage); the store or the search
// checks the bounds.
func page(c *gin.Context) (qa.Page, error) {
	return qa.ParsePage(c.Query("page"), c.Query("per_page"))
}

// optString returns a pointer to the query parameter, nil when absent or empty.
func optString(c *gin.Context, name string) *string {
	if s := c.Query(name); s != "" {
		return &s
	}
	return nil
}

// list is the envelope of every list response.
type list[T any] struct {
	Total int `json:"total"`
	Items []T `json:"items"`
}
