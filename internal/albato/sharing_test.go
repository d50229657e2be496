package albato

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStatusNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status Status
		name   string
	}{
		{StatusWaiting, "waiting"},
		{StatusGranted, "granted"},
		{StatusWaitingOAuth, "waiting_oauth"},
		{StatusRevoked, "revoked"},
	}
	for _, tt := range tests {
		if got := tt.status.Name(); got != tt.name {
			t.Errorf("Status(%d).Name() = %q, want %q", tt.status, got, tt.name)
		}
	}
	for _, s := range []Status{-1, 4, 99} {
		if got := s.Name(); got != "unknown" {
			t.Errorf("Status(%d).Name() = %q, want unknown", s, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2025-08-14 19:12:13", want: want},
		{in: " 2025-08-14 19:12:13 ", want: want},
		{in: "2025-08-14 19:12:13.250", want: want.Add(250 * time.Millisecond)},
		{in: "2025-08-14T19:12:13", want: want},
		{in: "2025-08-14T19:12:13Z", want: want},
		{in: "2025-08-14T22:12:13+03:00", want: want},
		{in: "2025-08-14T12:12:13.5-07:00", want: want.Add(500 * time.Millisecond)},
		{in: "", wantErr: true},
		{in: "garbage", wantErr: true},
		{in: "2025-13-14 19:12:13", wantErr: true},
		{in: "14.08.2025 19:12", wantErr: true},
		{in: "1755198733", want: want},
		{in: "1755198733.25", want: want.Add(250 * time.Millisecond)},
		{in: "0", want: time.Unix(0, 0).UTC()},
		{in: "253402300799", want: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{in: "253402300800", wantErr: true},
		{in: "1755198733.", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "1.7e9", wantErr: true},
		{in: "-1755198733", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseDate(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("parseDate(%q) = %v, want %v in UTC", tt.in, got, tt.want)
		}
	}
}

func TestDecodeDateCreatedAndCredential(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)
	tests := []struct {
		name        string
		fields      string
		wantDate    *time.Time
		wantCred    *int64
		wantProblem string
	}{
		{name: "null", fields: `"dateCreated":null,"credentialId":null`},
		{name: "absent", fields: `"title":"t"`},
		{name: "empty string", fields: `"dateCreated":"","credentialId":248`, wantCred: ptr(int64(248))},
		{name: "space format", fields: `"dateCreated":"2025-08-14 19:12:13"`, wantDate: &created},
		{name: "RFC 3339 with offset", fields: `"dateCreated":"2025-08-14T21:12:13+02:00"`, wantDate: &created},
		{name: "garbage", fields: `"dateCreated":"yesterday"`, wantProblem: `malformed sharing 61: dateCreated: invalid date "yesterday"`},
		{name: "RFC 3339 with a negative offset", fields: `"dateCreated":"2025-08-14T14:12:13-05:00"`, wantDate: &created},
		{name: "Unix seconds as a number", fields: `"dateCreated":1755198733`, wantDate: &created},
		{name: "Unix seconds as a string", fields: `"dateCreated":"1755198733"`, wantDate: &created},
		{name: "Unix seconds with a fraction", fields: `"dateCreated":1755198733.0`, wantDate: &created},
		{name: "blank string", fields: `"dateCreated":"  "`},
		{name: "a number starting with 0", fields: `"dateCreated":0`, wantDate: ptr(time.Unix(0, 0).UTC())},
		{name: "a number starting with 9", fields: `"dateCreated":946684800`, wantDate: ptr(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))},
		{name: "negative number", fields: `"dateCreated":-1`, wantProblem: `malformed sharing 61: dateCreated: invalid date "-1"`},
		{name: "object", fields: `"dateCreated":{"date":"2025-08-14"}`, wantProblem: `malformed sharing 61: dateCreated: expected a string or a number`},
		{name: "true", fields: `"dateCreated":true`, wantProblem: `malformed sharing 61: dateCreated: expected a string or a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, problem := decodeSharing(json.RawMessage(`{"id":61,"token":"tok1",`+tt.fields+`}`), time.Time{})
			if tt.wantProblem != "" {
				if !strings.HasPrefix(problem, tt.wantProblem) {
					t.Fatalf("problem %q, want prefix %q", problem, tt.wantProblem)
				}
				return
			}
			if problem != "" {
				t.Fatalf("unexpected problem %q", problem)
			}
			if !reflect.DeepEqual(s.DateCreated, tt.wantDate) {
				t.Errorf("DateCreated = %v, want %v", s.DateCreated, tt.wantDate)
			}
			if s.DateCreated != nil && s.DateCreated.Location() != time.UTC {
				t.Errorf("DateCreated %v is not in UTC", s.DateCreated)
			}
			if !reflect.DeepEqual(s.CredentialID, tt.wantCred) {
				t.Errorf("CredentialID = %v, want %v", s.CredentialID, tt.wantCred)
			}
		})
	}
}

// TestBadDateIsAnError checks that a bad dateCreated reaches the caller as
// an *Error rather than a zero time.
func TestBadDateIsAnError(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"success":true,"data":{"id":61,"token":"aZeZWFwAQQ","dateCreated":"15/08/2025"}}`)
	})
	_, err := newTestClient(t, srv.URL).GetSharing(context.Background(), 61)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || !strings.Contains(apiErr.Message, "dateCreated") {
		t.Fatalf("got %v, want an *Error about dateCreated", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestDecodedSharing checks every field of the documented example, and the
// Date header as ServerTime.
func TestDecodedSharing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		date       []string
		wantServer time.Time
	}{
		{"with Date", []string{"Fri, 15 Aug 2025 13:10:24 GMT"}, time.Date(2025, 8, 15, 13, 10, 24, 0, time.UTC)},
		{"without Date", nil, time.Time{}},
		{"bad Date", []string{"soon"}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Date"] = tt.date
				writeJSON(w, 200, `{"success": true, "data": {"id": 61, "partnerId": 225, "token": "aZeZWFwAQQ",
					"status": 1, "credentialId": 248, "title": "Connection by link for CRM Integration",
					"dateCreated": "2025-08-14 19:12:13", "extra": {"ignored": true}}}`)
			})
			got, err := newTestClient(t, srv.URL).GetSharing(context.Background(), 61)
			if err != nil {
				t.Fatal(err)
			}
			want := &Sharing{
				ID: 61, PartnerID: 225, Token: "aZeZWFwAQQ", Status: StatusGranted, CredentialID: ptr(int64(248)),
				Title: "Connection by link for CRM Integration", DateCreated: ptr(time.Date(2025, 8, 14, 19, 12, 13, 0, time.UTC)),
				ServerTime: tt.wantServer,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
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

// FuzzParseDate: any input is parsed or refused, never a panic, and a
// parsed date is always UTC and survives a round trip through RFC 3339.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2025-08-14 19:12:13", "2025-08-14T19:12:13Z", "2025-08-14T21:12:13+02:00",
		"", "null", "2025-13-40 25:61:61", "0000-00-00 00:00:00", "2025-08-14 19:12:13.123",
		"2025-08-14T14:12:13-05:00", "2025-08-14T19:12:13.999999999+14:00", "1755198733", "1755198733.5",
		"0", "253402300799", "253402300800", "-1", "1.7e9", "17551987330000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDate(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v, not UTC", s, got)
		}
		back, err := time.Parse(time.RFC3339Nano, got.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(got) {
			t.Fatalf("parseDate(%q) = %v does not round-trip: %v %v", s, got, back, err)
		}
	})
}
