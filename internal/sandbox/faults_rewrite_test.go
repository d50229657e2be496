package sandbox_test

import (
	"strings"
	"testing"

	"github.com/albato/terraform-provider-albato/internal/sandbox"
)

// An API that answers oddly: a PUT handled for real, answered with another
// id; a list whose every sharing shows a null token. Only the answer
// changes, never the record.
func TestFaultRewritesTheAnswer(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	made := e.create(225, "odd")
	e.srv.AddFault(sandbox.Fault{Method: "PUT", AnswerID: 1062, Times: 1})
	resp, b := e.api("PUT", path(made.ID), "")
	got := decodeRec(t, b)
	if resp.StatusCode != 200 || got.ID != 1062 || got.Token == made.Token {
		t.Fatalf("PUT: %d %s; want the regenerated sharing shown as 1062", resp.StatusCode, b)
	}
	if now := e.get(made.ID); now.ID != made.ID || now.Token != got.Token {
		t.Errorf("the record is %+v, want %d with the new token", now, made.ID)
	}

	e.srv.AddFault(sandbox.Fault{Method: "GET", NullToken: true, Times: 1})
	resp, b = e.api("GET", listPath, "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"token":null`) || !strings.Contains(string(b), `"meta"`) {
		t.Fatalf("list: %d %s; want every token null, meta kept", resp.StatusCode, b)
	}
	if now := e.get(made.ID); now.Token != got.Token {
		t.Errorf("the record's token changed: %+v", now)
	}
}
