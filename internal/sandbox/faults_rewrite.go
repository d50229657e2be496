package sandbox

import (
	"encoding/json"
)

// rewrites reports whether the fault rewrites the real answer.
func (f Fault) rewrites() bool { return f.AnswerID != 0 || f.NullToken }

// rewrite applies AnswerID and NullToken to every sharing in an answer's
// data (one object or a list); a body it cannot read is sent as it is.
func (f Fault) rewrite(body []byte) []byte {
	if !f.rewrites() {
		return body
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) != nil {
		return body
	}
	var items []map[string]any
	one := map[string]any{}
	list := json.Unmarshal(env["data"], &items) == nil
	if !list {
		if json.Unmarshal(env["data"], &one) != nil || one == nil {
			return body
		}
		items = []map[string]any{one}
	}
	for _, it := range items {
		if f.AnswerID != 0 {
			it["id"] = f.AnswerID
		}
		if f.NullToken {
			it["token"] = nil
		}
	}
	var data any = one
	if list {
		data = items
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return body
	}
	env["data"] = raw
	out, err := json.Marshal(env)
	if err != nil {
		return body
	}
	return append(out, '\n')
}
