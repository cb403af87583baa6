package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/accord-coalition/accord"
)

// codeStatus is the one place error codes become HTTP statuses.
var codeStatus = map[string]int{
	accord.EINVALID:         http.StatusBadRequest,
	accord.EUNAUTHENTICATED: http.StatusUnauthorized,
	accord.EFORBIDDEN:       http.StatusForbidden,
	accord.ENOTFOUND:        http.StatusNotFound,
	accord.ECONFLICT:        http.StatusConflict,
	accord.EINTERNAL:        http.StatusInternalServerError,
}

// StatusCode returns the HTTP status for an error code.
func StatusCode(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Error writes err as JSON. Internal errors are logged with their detail and
// returned with a generic message, so nothing about the node leaks.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := accord.ErrorCode(err), accord.ErrorMessage(err)
	if code == accord.EINTERNAL {
		s.Logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message = code, msg
	if code == accord.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	writeJSON(w, StatusCode(code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

// decodeJSON reads one JSON object into v: size-limited, unknown fields and
// trailing data rejected, with messages a caller can act on.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		var syntaxErr *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &maxErr):
			return accord.Errorf(accord.EINVALID, "request body is larger than %d bytes", maxErr.Limit)
		case errors.Is(err, io.EOF):
			return accord.Errorf(accord.EINVALID, "request body is empty; send a JSON object")
		case errors.As(err, &syntaxErr):
			return accord.Errorf(accord.EINVALID, "request body is not valid JSON (at byte %d)", syntaxErr.Offset)
		case errors.As(err, &typeErr):
			return accord.Errorf(accord.EINVALID, "field %q must be %s", typeErr.Field, typeErr.Type)
		default:
			// json reports unknown fields as `json: unknown field "x"`.
			return &accord.Error{Code: accord.EINVALID, Message: fmt.Sprintf("invalid request body: %s", trimJSONPrefix(err.Error())), Err: err}
		}
	}
	if dec.More() {
		return accord.Errorf(accord.EINVALID, "request body must hold exactly one JSON object")
	}
	return nil
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
