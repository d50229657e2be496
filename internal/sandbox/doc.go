// Package sandbox is a local emulator of Albato's "sharing" API (connection
// via link) and of the page that the end user opens from the link. It follows
// Albato's public document "How to Create a Connection via Link" and, where
// that is silent, the readings stated below (statuses, expiry, paging, error
// bodies). It is used in-process by the provider's acceptance tests
// (httptest.NewServer(srv)) and by the albato-sandbox binary for demos. A
// Server is an http.Handler and is safe for concurrent use.
//
// # API
//
// Every request to an API route needs the token of Options.Token in the
// Authorization header, compared in constant time, under a scheme that
// Settings.AuthScheme accepts (scheme names in any letter case): "bearer"
// (Bearer <token>), "basic-raw" (Basic <token>, not encoded, as Albato's
// examples send it), "basic" (standard Basic, base64 of "<token>:") or "any"
// of the three (the default). Otherwise the answer is 401 with a
// success:false body.
// Routing comes first: an unknown path answers 404 and a wrong method 405
// whatever the token. Bodies are JSON. Success is {"success":true,"data":...};
// failure is {"success":false,"message":"..."} with a 4xx status (or, only
// for storage failures, 500).
//
//	POST   /credentials/grant-access-sharing        create: {"partnerId":225,"title":"..."}; dateCreated is null in this answer
//	GET    /credentials/grant-access-sharing?page=N&per-page=M  list, with meta {page,totalPages,totalItemsCount}
//	GET    /credentials/grant-access-sharing/{id}   read; dateCreated as Settings.DateFormat says
//	PUT    /credentials/grant-access-sharing/{id}   regenerate: new token, status 0, credentialId null; 409 when revoked
//	DELETE /credentials/grant-access-sharing/{id}   revoke: status 3, record kept (404 later with Options.NotFoundAfterDelete)
//
// The list pages as the PHP framework behind Albato's sibling list endpoints
// does: page is 1-based (not a positive integer: 400); per-page from 1 to
// Settings.MaxPerPage (default 50) is honoured, any other value (above the
// maximum, below 1, not a number) gets Settings.PageSize (default 20); a
// page past the last answers with the last page and meta.page set to it
// (Settings.EmptyPageWhenOutOfRange answers an empty page instead);
// Settings.IgnorePage ignores page and always answers page 1, like an API
// that does not page. Settings.DateFormat writes dateCreated as "datetime"
// ("2006-01-02 15:04:05" in UTC, as documented; the default), "unix" (Unix
// seconds, a JSON number), "unix-string" (the same as a string) or
// "rfc3339" (with the offset +03:00).
//
// Sharing ids count up from 61 and credential ids from 248; tokens are ten
// random letters and digits. Statuses are 0 waiting, 1 granted, 2 waiting for
// OAuth and 3 revoked. A token can be used for TokenLifetime (48 hours) after
// it was issued by POST or PUT, measured on the sandbox clock; the API status
// does not change when it expires, only the connect page refuses it. Unknown
// paths answer 404, wrong methods 405, oversized bodies (over 1 MiB) 413, all
// as JSON. Every response, including pages and control answers, carries a
// Date header from the sandbox clock (Server.Now).
//
// Partners: 225 "Demo CRM" (API key and subdomain), 226 "Demo Mailer" (login
// and password) and 227 "Demo Calendar" (OAuth). Creating a sharing for any
// other partner answers 400.
//
// # Connect page
//
// The link handed to the end user is <base>/connect?id=<id>&token=<token>,
// where id is the partnerId, or the sharing's own id when
// Settings.LinkID is "sharing_id" (the default is "partner_id"); a link
// with the other id answers "This link is not valid".
//
//	GET  /connect?id=P&token=T           the partner's form (or, for OAuth, a "Connect with" button)
//	POST /connect                        submit the form: status 1 and a new credentialId; 422 with the form again when a field is invalid;
//	                                     for OAuth: status 2 and a 303 redirect to the consent page
//	GET  /connect/oauth/authorize?id&token  the stand-in OAuth provider's consent page ("Allow" / "Deny")
//	POST /connect/oauth/authorize        decision=allow: status 1 and a credential; decision=deny: back to status 0
//
// An unknown token, or an id that does not match, answers 404 "This
// link is not valid"; a revoked link 410 "This link was revoked"; a spent link
// 410 "This link was already used"; an expired one 410 "This link has
// expired"; missing or garbled parameters 400. Pages need no JavaScript,
// escape everything through html/template, show no secret but the token
// already in the link, and send a strict Content-Security-Policy,
// X-Content-Type-Options, X-Frame-Options, Referrer-Policy and Cache-Control.
// Submitted credentials are checked and then thrown away.
//
// # Control endpoints
//
// With Options.EnableControl, JSON endpoints without authentication let tests
// and demo scripts act as the end user or as the world; without it these
// paths answer 404. The Go methods of Server do the same in-process.
//
//	GET    /_sandbox/                       index of the control endpoints
//	GET    /_sandbox/sharings               {"sharings":[...]}: all records, tokens and expiry included
//	GET    /_sandbox/sharings/{id}          one record
//	DELETE /_sandbox/sharings/{id}          Server.Remove: delete the record entirely
//	POST   /_sandbox/sharings/{id}/grant    Server.Grant: {"credentialId":N}
//	POST   /_sandbox/sharings/{id}/oauth    Server.StartOAuth: status 2
//	POST   /_sandbox/sharings/{id}/revoke   Server.Revoke: status 3
//	GET    /_sandbox/clock                  {"now":RFC 3339,"offset":duration}
//	POST   /_sandbox/clock                  Server.Advance: {"advance":"49h"} -> {"now":...}
//	GET    /_sandbox/settings               the Settings in force, e.g. {"authScheme":"any","linkId":"partner_id",...}
//	POST   /_sandbox/settings               Server.SetSettings of the fields named: {"authScheme":"basic"}; "" or 0 restores a default
//	GET    /_sandbox/faults                 {"faults":[...]}
//	POST   /_sandbox/faults                 Server.AddFault, e.g. {"status":429,"retryAfter":"2","times":3} or {"latency":"2s"}
//	DELETE /_sandbox/faults                 Server.ClearFaults
//	GET    /_sandbox/requests               {"counts":{"GET":n,...},"requests":[{"method","path","query","status"},...]}
//	DELETE /_sandbox/requests               Server.ResetRequests
//
// A sharing's JSON (here and in the data file) has id, partnerId, token,
// credentialId, title, dateCreated, tokenIssuedAt, deleted, status, and the
// derived statusName and expiresAt; times are RFC 3339. Settings' JSON names
// are authScheme, linkId, pageSize, maxPerPage, emptyPageWhenOutOfRange,
// ignorePage, dateFormat and regenerateMovesDate. Fault fields in JSON: method, pathPrefix,
// status, retryAfter, body, emptyBody, latency (a Go duration string),
// afterHandling, drop, times, normalizeTitle. Action errors answer 404 (unknown sharing) or
// 409 (wrong state).
// Some fault fields are set from Go only, with Server.AddFault: BodyContains
// (match one request among many by its body), Probability and Seed (fault a
// seeded random share of requests), BodyBytes (pad a body to many
// megabytes), TruncateAt (cut a body short under the Content-Length of the
// whole) and SlowBody (send the second half of a body late).
//
// # State
//
// State is in memory unless Options.DataFile names a JSON file, which is then
// loaded at start (created if missing) and rewritten atomically (mode 0600)
// after every change, including the clock offset. The file holds the sharing
// tokens but never the API token. Faults and the request log are never saved.
package sandbox
