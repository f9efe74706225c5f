package api

import (
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
}

// fail is the one place that turns an error into a response: the status from
// its code, the user-safe message, and the internal cause only in the log.
func (a *API) fail(c *gin.Context, err error) {
	code := qa.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = qa.EINTERNAL, http.StatusInternalServerError
	}
	if code == qa.EINTERNAL || code == qa.EUNAVAILABLE {
		a.log.Error("api request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	if code == qa.EUNAUTHORIZED {
		c.Header("WWW-Authenticate", `Bearer realm="answerbook"`)
	}
	if code == qa.EUNAVAILABLE {
		// INTERFACE.md's codes have no "unavailable": the status (503) and
		// Retry-After say it; the code stays within the contract.
		c.Header("Retry-After", "5")
		code = qa.EINTERNAL
	}
	c.AbortWithStatusJSON(status, errorBody{Error: detailOf(code, err)})
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
