package albato

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// itemCalls are the calls on one sharing's route.
var itemCalls = map[string]func(*Client, context.Context, int64) (*Sharing, error){
	"GET":    (*Client).GetSharing,
	"PUT":    (*Client).RegenerateSharing,
	"DELETE": (*Client).RevokeSharing,
}

// TestNotFoundOnlyFromTheAPI: a 404 for one sharing means "no such sharing"
// only in the API's envelope from a route whose listing answers; anything
// else is an error that names the API URL without userinfo or query, for
// every call on a sharing's route.
func TestNotFoundOnlyFromTheAPI(t *testing.T) {
	t.Parallel()
	const envelope404 = `{"success":false,"message":"Sharing not found"}`
	list := `{"success":true,"data":[],"meta":{"page":1,"totalPages":1,"totalItemsCount":0}}`
	cases := []struct {
		name                string
		itemCT, itemBody    string
		listStatus          int
		listBody            string
		listedBefore        bool
		wantGone            bool
		wantListings        int32
		wantInMessage       string
		wantNotInTheMessage string
	}{
		{name: "the API's 404, the listing answers", itemBody: envelope404, listStatus: 200, listBody: list,
			wantGone: true, wantListings: 1},
		{name: "the API's 404, a listing answered before", itemBody: envelope404, listStatus: 200, listBody: list,
			listedBefore: true, wantGone: true, wantListings: 1},
		{name: "a wrong path prefix: the collection answers 404 too", itemBody: envelope404, listStatus: 404,
			listBody: envelope404, wantListings: 1, wantInMessage: "/prefix/credentials/grant-access-sharing does not serve it"},
		{name: "the listing fails otherwise", itemBody: envelope404, listStatus: 500, listBody: `{"success":false}`,
			wantListings: 1, wantInMessage: "check the API URL"},
		{name: "an HTML page", itemCT: "text/html", itemBody: "<html><title>404 Not Found</title></html>",
			listStatus: 200, listBody: list, wantInMessage: "not the sharing API's answer"},
		{name: "JSON, but not the API's envelope", itemBody: `{"message":"Not Found"}`, listStatus: 200, listBody: list,
			wantInMessage: "check the API URL"},
	}
	for _, tc := range cases {
		for method, call := range itemCalls {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				var listings atomic.Int32
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/grant-access-sharing") {
						listings.Add(1)
						writeJSON(w, tc.listStatus, tc.listBody)
						return
					}
					w.Header().Set("Content-Type", cmpOr(tc.itemCT, "application/json"))
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(tc.itemBody))
				})
				c := newTestClient(t, srv.URL+"/prefix", withRetries(0))
				if tc.listedBefore {
					if _, err := c.ListSharings(t.Context(), 1); err != nil {
						t.Fatal(err)
					}
				}
				_, err := call(c, t.Context(), 62)
				if err == nil || IsNotFound(err) != tc.wantGone || statusOf(err) != http.StatusNotFound {
					t.Fatalf("got %v (IsNotFound %v), want a 404 with IsNotFound %v", err, IsNotFound(err), tc.wantGone)
				}
				if !strings.Contains(err.Error(), tc.wantInMessage) || strings.Contains(err.Error(), "?") {
					t.Errorf("got %q, want it to contain %q and no query", err, tc.wantInMessage)
				}
				if got := listings.Load(); got != tc.wantListings {
					t.Errorf("%d listings, want %d", got, tc.wantListings)
				}
			})
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestAnswerForAnotherSharing: an answer about another sharing than the one
// asked for is an error naming both ids, for every call on a sharing's route.
func TestAnswerForAnotherSharing(t *testing.T) {
	t.Parallel()
	for method, call := range itemCalls {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, fmt.Sprintf(`{"success":true,"data":{"id":1062,"partnerId":225,"token":%q,"status":0,"title":"t"}}`,
					testSharingToken))
			})
			s, err := call(newTestClient(t, srv.URL, withRetries(0)), t.Context(), 62)
			if err == nil || !strings.Contains(err.Error(), "sharing 62") || !strings.Contains(err.Error(), "sharing 1062") {
				t.Fatalf("got %+v, %v; want an error naming 62 and 1062", s, err)
			}
			if strings.Contains(err.Error(), testSharingToken) || IsNotFound(err) || MayHaveBeenApplied(err) {
				t.Errorf("got %v: a token, a verdict of gone, or a create's cue to look", err)
			}
		})
	}
}

// TestWaitingSharingWithoutToken: a sharing that can still be completed
// (waiting, or waiting for OAuth) with a null, empty or blank token is an
// error, in a single answer and in a list; a spent or revoked one needs none.
func TestWaitingSharingWithoutToken(t *testing.T) {
	t.Parallel()
	for _, status := range []Status{StatusWaiting, StatusGranted, StatusWaitingOAuth, StatusRevoked} {
		for _, token := range []string{`null`, `""`, `"  "`, `absent`} {
			member := `"token":` + token + `,`
			if token == "absent" {
				member = ""
			}
			item := fmt.Sprintf(`{"id":62,"partnerId":225,%s"status":%d,"title":"t","dateCreated":"2026-03-01 09:00:00"}`, member, status)
			wantErr := status == StatusWaiting || status == StatusWaitingOAuth
			t.Run(fmt.Sprintf("%s/%s", status.Name(), token), func(t *testing.T) {
				t.Parallel()
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/62") {
						writeJSON(w, 200, `{"success":true,"data":`+item+`}`)
						return
					}
					writeJSON(w, 200, `{"success":true,"data":[`+item+`],"meta":{"page":1,"totalPages":1,"totalItemsCount":1}}`)
				})
				c := newTestClient(t, srv.URL, withRetries(0))
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				_, getErr := c.GetSharing(ctx, 62)
				_, listErr := c.ListAllSharings(ctx)
				for what, err := range map[string]error{"GET": getErr, "list": listErr} {
					if (err != nil) != wantErr || (wantErr && !strings.Contains(err.Error(), "token is null or empty")) {
						t.Errorf("%s: got %v, want an error: %v", what, err, wantErr)
					}
				}
			})
		}
	}
}
