package albato

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"mime"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	maxBodyBytes     = 10 << 20 // a sharing is a few hundred bytes: more is a misbehaving server
	maxMessageRunes  = 300      // an error message readable in a diagnostic
	maxSnippetRunes  = 120      // how much of an unexpected body is quoted
	maxDescribeDepth = 3        // so that a deeply nested body cannot make decoding quadratic
)

// envelopeWire is the JSON envelope of every answer, each member kept raw
// (encoding/json matches its names in any letter case).
type envelopeWire struct {
	Success, Data, Meta, Message, Error, Errors json.RawMessage
}

// envelope is a successful answer's data and meta, or tells of a failure
// whether it has "success": false, the API's own statement that it did nothing.
type envelope struct {
	data, meta  json.RawMessage
	saysFailure bool
}

// decodeEnvelope judges an answer by its status, Content-Type and body: the
// envelope of a success, or a description of the failure, whose quotes are
// redacted before they are cut, so that no part of a secret is left.
func decodeEnvelope(status int, contentType string, body []byte, apiSecrets ...string) (envelope, string) {
	var secrets []string
	redactAll := func(s string) string {
		if secrets == nil {
			secrets = append(sharingTokens(body), apiSecrets...)
		}
		return redact(s, secrets)
	}
	clean := func(s string, n int) string { return shorten(oneLine(redactAll(s)), n) }

	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return envelope{}, "empty response body"
	}
	failed := status >= 400
	var w envelopeWire
	switch {
	case trimmed[0] == '{' || (trimmed[0] == '[' && !json.Valid(trimmed)):
		// Only a syntax error can fail this; an invalid list's comes first.
		if err := json.Unmarshal(trimmed, &w); err != nil {
			return envelope{}, fmt.Sprintf("malformed JSON response (%s): %s",
				syntaxProblem(err), clean(string(trimmed), maxSnippetRunes))
		}
	case !json.Valid(trimmed):
		isHTML := strings.Contains(strings.ToLower(contentType), "html") || trimmed[0] == '<' // else '<' is no tag
		return envelope{}, fmt.Sprintf("unexpected non-JSON response (%s): %s",
			describeContentType(contentType), clean(textOf(redactAll(string(trimmed)), isHTML), maxSnippetRunes))
	case failed: // a bare string or list may still describe the failure
		return envelope{}, clean(cmp.Or(describe(trimmed, 0), string(trimmed)), maxMessageRunes)
	default:
		return envelope{}, "unexpected JSON response (expected an object): " + clean(string(trimmed), maxSnippetRunes)
	}
	if saysFailure := string(bytes.TrimSpace(w.Success)) == "false"; failed || saysFailure {
		return envelope{saysFailure: saysFailure}, clean(cmp.Or(failureMessage(&w), string(trimmed)), maxMessageRunes)
	}
	if isJSONNull(w.Data) {
		return envelope{}, `malformed response: "data" is missing or null`
	}
	return envelope{data: w.Data, meta: w.Meta}, ""
}

// failureMessage is the API's description of a failure: "message" or
// "error", then "errors" as details; "" when there is none.
func failureMessage(w *envelopeWire) string {
	primary := cmp.Or(describe(w.Message, 0), describe(w.Error, 0))
	details := describe(w.Errors, 0)
	if primary != "" && details != "" && details != primary {
		return primary + ": " + details
	}
	return cmp.Or(primary, details)
}

// describe words an error description: a string as is, an object by its
// "message" (after its "field", if any), a list joined with "; ", a map of
// field to messages as "field: message" items; anything else gives "".
func describe(raw json.RawMessage, depth int) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || depth > maxDescribeDepth {
		return ""
	}
	var parts []string
	add := func(prefix string, item json.RawMessage) {
		if s := describe(item, depth+1); s != "" {
			parts = append(parts, prefix+s)
		}
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return strings.TrimSpace(s)
	case '[':
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		for _, item := range items {
			add("", item)
		}
	case '{':
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(raw, &obj)
		if msg := describe(obj["message"], depth+1); msg != "" {
			if field := describe(obj["field"], depth+1); field != "" {
				return field + ": " + msg
			}
			return msg
		}
		if depth == 0 { // {"title": ["is required"]}; deeper, an unrelated object
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				add(k+": ", obj[k])
			}
		}
	}
	return strings.Join(parts, "; ")
}

func isJSONNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// syntaxProblem says what is wrong with invalid JSON, with the byte offset.
func syntaxProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if syn := (*json.SyntaxError)(nil); errors.As(err, &syn) {
		msg += fmt.Sprintf(" at byte %d", syn.Offset)
	}
	return msg
}

// describeContentType names the media type without parameters.
func describeContentType(ct string) string {
	if strings.TrimSpace(ct) == "" {
		return "no Content-Type"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ct
	}
	return "Content-Type " + shorten(oneLine(mt), 60)
}

var (
	htmlTitleRe = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title`)
	htmlTagRe   = regexp.MustCompile(`<[^>]*(?:>|$)`)
)

// textOf is the words of a non-JSON body's start, where an error page
// explains itself: of HTML, its <title>, or else its text without tags.
func textOf(s string, isHTML bool) string {
	s = s[:min(len(s), 64<<10)]
	if isHTML {
		if m := htmlTitleRe.FindStringSubmatch(s); m != nil && strings.TrimSpace(htmlTagRe.ReplaceAllString(m[1], " ")) != "" {
			s = m[1]
		}
		s = html.UnescapeString(htmlTagRe.ReplaceAllString(s, " "))
	}
	if strings.TrimSpace(s) == "" {
		return "(no text)"
	}
	return s
}

// oneLine makes s valid UTF-8 and collapses all runs of white space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n])) + "…"
}

// typeProblem words a JSON type mismatch without quoting a value (a token).
func typeProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	want := "a different type"
	if typeErr.Type != nil {
		want = cmp.Or(wantedKinds[typeErr.Type.Kind()], want)
	}
	got, _, _ := strings.Cut(typeErr.Value, " ") // "number 1.5": keep the literal out
	if typeErr.Field == "" {
		return fmt.Sprintf("expected %s, got %s", want, got)
	}
	// The path names sharingWire's embedded Sharing, which the JSON does not.
	return fmt.Sprintf("field %q: expected %s, got %s", strings.TrimPrefix(typeErr.Field, "Sharing."), want, got)
}

// wantedKinds words the kinds a sharing's JSON is decoded into.
var wantedKinds = map[reflect.Kind]string{reflect.Int: "an integer", reflect.Int64: "an integer",
	reflect.String: "a string", reflect.Slice: "a list", reflect.Struct: "an object", reflect.Map: "an object"}
