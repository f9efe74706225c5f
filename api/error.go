package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// errorBody is the error shape of INTERFACE.md.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail carries the code and the English message of INTERFACE.md,
// and the message's stable key and arguments so that a client can say it in
// its own language (the keys and their arguments are qa/message.go's).
type errorDetail struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Key     qa.Key  `json:"key"`
	Args    qa.Args `json:"args"`
}

// statusOf maps a domain error code to an HTTP status.
var statusOf = map[string]int{
	qa.ECONFLICT:     http.StatusConflict,
	qa.EFORBIDDEN:    http.StatusForbidden,
	qa.EINTERNAL:     http.StatusInternalServerError,
	qa.EINVALID:      http.StatusBadRequest,
	qa.ENOTFOUND:     http.StatusNotFound,
	qa.ERATELIMITED:  http.StatusTooManyRequests,
	qa.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	qa.EUNAUTHORIZED: http.StatusUnauthorized,
	qa.EUNAVAILABLE:  http.StatusServiceUnavailable,
	qa.EMETHOD:       http.StatusMethodNotAllowed,
}

// fail is the one place that turns an error into a response: the status from
// its code, the user-safe message, and the internal cause only in the log.
func (a *API) fail(c *gin.Context, err error) {
	status, body := errorResponse(c.Writer.Header(), err)
	if status >= http.StatusInternalServerError {
		a.log.Error("api request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, body)
}

// WriteError writes err in the API's error shape to a plain
// http.ResponseWriter, for the few answers given outside gin (the refusal of
// a cross-origin request). It logs nothing: such errors are never internal.
func WriteError(w http.ResponseWriter, err error) {
	status, body := errorResponse(w.Header(), err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// errorResponse is the status and body for err, and sets the headers that
// go with its code.
func errorResponse(h http.Header, err error) (int, errorBody) {
	code := qa.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = qa.EINTERNAL, http.StatusInternalServerError
	}
	if code == qa.EUNAUTHORIZED {
		h.Set("WWW-Authenticate", `Bearer realm="answerbook"`)
	}
	if code == qa.EUNAVAILABLE {
		// INTERFACE.md's codes have no "unavailable": the status (503) and
		// Retry-After say it; the code stays within the contract.
		h.Set("Retry-After", "5")
		code = qa.EINTERNAL
	}
	if code == qa.EMETHOD {
		// Likewise: 405 and Allow say it; the code is INTERFACE.md's.
		code = qa.EINVALID
	}
	return status, errorBody{Error: detailOf(code, err)}
}

// detailOf is the error body's detail for err, with the given (public) code.
func detailOf(code string, err error) errorDetail {
	d := errorDetail{Code: code, Message: qa.ErrorMessage(err), Key: qa.ErrorKey(err), Args: qa.ErrorArgs(err)}
	if d.Key == "" {
		d.Key = qa.KeyInternal
	}
	if d.Args == nil {
		d.Args = qa.Args{}
	}
	return d
}
