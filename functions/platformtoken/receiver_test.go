package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// post sends a push as WeChat would and returns the status and body.
func post(tb testing.TB, method, rawURL string, q url.Values, body []byte) (int, string) {
	tb.Helper()
	u, _ := url.Parse(rawURL)
	u.RawQuery = q.Encode()
	req, _ := http.NewRequest(method, u.String(), bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// resign returns p's query with timestamp ts and a signature that is
// right for it: what a forger who knows the message token could send.
func resign(tb testing.TB, p *wxtest.SealedPush, ts string) url.Values {
	tb.Helper()
	env, err := wxcrypt.ParseEnvelope(p.Body)
	if err != nil {
		tb.Fatal(err)
	}
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("timestamp", ts)
	q.Set("msg_signature", wxcrypt.Signature(msgToken, ts, q.Get("nonce"), env.Encrypt))
	return q
}

// sealRaw seals plaintext bytes for appID with the platform's token and
// key, as a signed push.
func sealRaw(tb testing.TB, plain []byte, appID string, now time.Time) (url.Values, []byte) {
	tb.Helper()
	key, err := wxcrypt.ParseKey(aesKey)
	if err != nil {
		tb.Fatal(err)
	}
	enc, err := wxcrypt.Encrypt(key, make([]byte, wxcrypt.RandomSize), plain, appID)
	if err != nil {
		tb.Fatal(err)
	}
	ts, nonce := strconv.FormatInt(now.Unix(), 10), "12345"
	body := []byte("<xml><AppId><![CDATA[" + appID + "]]></AppId><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
	return url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"},
		"msg_signature": {wxcrypt.Signature(msgToken, ts, nonce, enc)}}, body
}

// TestPushRefused sends pushes that must be refused, and checks that
// none called WeChat or wrote anything.
func TestPushRefused(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	ticket := wxcrypt.Message{InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: "ticket@@@forged"}
	good, err := e.sim.SealPush(ticket)
	if err != nil {
		t.Fatal(err)
	}
	other, err := wxcrypt.NewCodec(msgToken, aesKey, "wxffffffffffffffff")
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	otherBody, otherSig, err := other.Seal(make([]byte, 16), ts, "777", &wxcrypt.Message{AppID: "wxffffffffffffffff", InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	notPushQ, notPushBody := sealRaw(t, []byte("hello, not xml"), componentAppID, now)
	noInfoQ, noInfoBody := sealRaw(t, []byte("<xml><AppId>"+componentAppID+"</AppId></xml>"), componentAppID, now)
	badAppQ, badAppBody := sealRaw(t, []byte("<xml><InfoType>authorized</InfoType><AuthorizerAppid>_component#x</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode></xml>"), componentAppID, now)
	with := func(q url.Values, k, v string) url.Values {
		c := url.Values{}
		for kk, vv := range q {
			c[kk] = vv
		}
		if v == "" {
			c.Del(k)
		} else {
			c.Set(k, v)
		}
		return c
	}
	flipped := []byte(good.Query.Get("msg_signature"))
	flipped[0] ^= 1
	for _, tc := range []struct {
		name   string
		method string
		path   string
		q      url.Values
		body   []byte
		want   int
	}{
		{"missing signature", "POST", "/component/events", with(good.Query, "msg_signature", ""), good.Body, 401},
		{"short signature", "POST", "/component/events", with(good.Query, "msg_signature", "abc"), good.Body, 401},
		{"wrong signature", "POST", "/component/events", with(good.Query, "msg_signature", string(flipped)), good.Body, 401},
		{"signature of another token", "POST", "/component/events", with(good.Query, "msg_signature", wxcrypt.Signature("other", good.Query.Get("timestamp"), good.Query.Get("nonce"), "x")), good.Body, 401},
		{"timestamp changed after signing", "POST", "/component/events", with(good.Query, "timestamp", strconv.FormatInt(now.Unix()+1, 10)), good.Body, 401},
		{"stale timestamp", "POST", "/component/events", resign(t, good, strconv.FormatInt(now.Add(-5*time.Minute-time.Second).Unix(), 10)), good.Body, 401},
		{"future timestamp", "POST", "/component/events", resign(t, good, strconv.FormatInt(now.Add(5*time.Minute+time.Second).Unix(), 10)), good.Body, 401},
		{"timestamp not a number", "POST", "/component/events", resign(t, good, "soon"), good.Body, 401},
		{"body not xml", "POST", "/component/events", good.Query, []byte("not xml"), 400},
		{"empty body", "POST", "/component/events", good.Query, nil, 400},
		{"envelope without Encrypt", "POST", "/component/events", good.Query, []byte("<xml><AppId>x</AppId></xml>"), 400},
		{"oversized body", "POST", "/component/events", good.Query, bytes.Repeat([]byte("a"), wxcrypt.MaxBodyLen+10), 400},
		{"another platform's push", "POST", "/component/events", url.Values{"timestamp": {ts}, "nonce": {"777"}, "encrypt_type": {"aes"}, "msg_signature": {otherSig}}, otherBody, 400},
		{"plaintext not a push", "POST", "/component/events", notPushQ, notPushBody, 400},
		{"push without InfoType", "POST", "/component/events", noInfoQ, noInfoBody, 400},
		{"authorizer appid not an appid", "POST", "/component/events", badAppQ, badAppBody, 400},
		{"encrypt_type missing", "POST", "/component/events", with(good.Query, "encrypt_type", ""), good.Body, 400},
		{"GET", "GET", "/component/events", good.Query, nil, 405},
		{"other path", "POST", "/component/other", good.Query, good.Body, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, tc.method, strings.TrimSuffix(e.url, "/component/events")+tc.path, tc.q, tc.body)
			if status != tc.want || body == "success" {
				t.Errorf("push = %d %q; want %d and not success", status, body, tc.want)
			}
		})
	}
	for _, op := range []string{"api_component_token", "api_query_auth", "api_authorizer_token", "api_get_authorizer_list"} {
		if n := e.sim.ComponentCalls(op); n != 0 {
			t.Errorf("%s calls = %d; want 0 for refused pushes", op, n)
		}
	}
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: new(table)})
	if err != nil || len(out.Items) != 0 {
		t.Errorf("table holds %d items, %v; want none after refused pushes", len(out.Items), err)
	}
	if !strings.Contains(e.logs.String(), `"refusal"`) {
		t.Errorf("no refusal logged:\n%s", e.logs.String())
	}
	e.noSecretIn(t, "logs", e.logs.String())
}

// TestPushTicket stores the ticket with its receive time; a replay changes
// nothing, and an older push never replaces a newer ticket.
func TestPushTicket(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	first := e.sim.Ticket()
	item := e.item(t, componentKeyPrefix+componentAppID)
	if str(item, attrTicket) != first || str(item, attrTicketAt) != ts(e.clock.Now()) || item[attrAccessToken] != nil {
		t.Fatalf("component item = ticket %v, ticket_at %q, access_token %v; want the ticket, now, none",
			str(item, attrTicket) == first, str(item, attrTicketAt), item[attrAccessToken] != nil)
	}
	old, err := e.sim.SealPush(wxcrypt.Message{InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: first})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.pushTicket(t)
	second := e.sim.Ticket()
	for i := range 2 { // the older push, twice: success, nothing changes
		if res, err := old.Send(context.Background(), e.url); err != nil || res.Status != 200 || res.Body != "success" {
			t.Fatalf("replay %d = %+v, %v; want 200 success", i, res, err)
		}
	}
	if got := str(e.item(t, componentKeyPrefix+componentAppID), attrTicket); got != second {
		t.Errorf("after replaying an older push the stored ticket is the newer: %v; want true", got == second)
	}
	e.noSecretIn(t, "logs", e.logs.String())
}

// TestPushAuthorized exchanges the code once and writes the account's
// item before answering; a replay calls nothing; updateauthorized
// exchanges its new code.
func TestPushAuthorized(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	appID, code, err := e.sim.AuthorizeAccount(1, 7)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.sim.SealPush(wxcrypt.Message{InfoType: wxcrypt.InfoAuthorized, AuthorizerAppID: appID, AuthorizationCode: code})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if res, err := p.Send(context.Background(), e.url); err != nil || res.Status != 200 || res.Body != "success" {
			t.Fatalf("push %d = %+v, %v; want 200 success", i, res, err)
		}
		e.wantServing(t, appID)
	}
	if n := e.sim.ComponentCalls("api_query_auth"); n != 1 {
		t.Errorf("api_query_auth calls = %d; want 1 for a push sent twice", n)
	}
	item := e.item(t, appID)
	if str(item, attrStatus) != statusActive || item[attrFuncInfo] == nil || str(item, attrAuthCode) != hashCode(code) {
		t.Errorf("item status %q, func_info %v, auth code recorded %v; want active, set, true", str(item, attrStatus), item[attrFuncInfo], str(item, attrAuthCode) == hashCode(code))
	}
	code2, err := e.sim.Reauthorize(appID, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if res, err := e.sim.PushAuthorized(context.Background(), e.url, appID, code2, true); err != nil || res.Body != "success" {
		t.Fatalf("updateauthorized = %+v, %v; want success", res, err)
	}
	e.wantServing(t, appID)
	if n := e.sim.ComponentCalls("api_query_auth"); n != 2 {
		t.Errorf("api_query_auth calls = %d; want 2", n)
	}
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String(), appID)
}

// TestPushUnauthorized deletes the account's item; a replay is harmless;
// an unauthorized push older than the authorization it follows is ignored.
func TestPushUnauthorized(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	appID := e.authorize(t)
	stale, err := e.sim.SealPush(wxcrypt.Message{InfoType: wxcrypt.InfoUnauthorized, AuthorizerAppID: appID, CreateTime: e.clock.Now().Unix() - 1})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := stale.Send(context.Background(), e.url); err != nil || res.Body != "success" {
		t.Fatalf("older unauthorized push = %+v, %v; want success", res, err)
	}
	if e.item(t, appID) == nil {
		t.Fatal("an unauthorized push older than the authorization deleted the item")
	}
	e.clock.Advance(time.Minute)
	e.sim.Revoke(appID)
	for i := range 2 {
		if res, err := e.sim.PushUnauthorized(context.Background(), e.url, appID); err != nil || res.Status != 200 || res.Body != "success" {
			t.Fatalf("unauthorized push %d = %+v, %v; want 200 success", i, res, err)
		}
		if e.item(t, appID) != nil {
			t.Fatalf("after unauthorized push %d the account's item is still there", i)
		}
	}
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String(), appID)
}

// TestPushSlowWeChat answers success within the push budget when
// api_query_auth is slow, and the next run completes the account through
// api_get_authorizer_list.
func TestPushSlowWeChat(t *testing.T) {
	e := newEnv(t)
	e.svc.pushWeChatBudget = 100 * time.Millisecond
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`) // the component token, before the slow push
	e.sim.ScriptComponent("api_query_auth", wxtest.Fault{Delay: 300 * time.Millisecond})
	appID := e.authorize(t)
	if st := str(e.item(t, appID), attrStatus); st != statusPending {
		t.Fatalf("after a slow push the item's status = %q; want pending", st)
	}
	e.sim.Reset()
	r := e.mustRun(t, e.h, `{"action":"refresh"}`)
	if r.Refreshed != 1 || r.Recovered != 1 {
		t.Fatalf("run = %+v; want 1 refreshed through the list", r)
	}
	e.wantServing(t, appID)
	if n := e.sim.ComponentCalls("api_authorizer_token"); n != 1 {
		t.Errorf("api_authorizer_token calls = %d; want 1", n)
	}
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String(), appID)
}

// TestPushWeChatRefuses answers success to an authorization push whose
// code WeChat refuses or cannot exchange now: a code already exchanged
// (by the onboarding callback) changes nothing; a busy WeChat leaves the
// account pending for the next run.
func TestPushWeChatRefuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		used       bool
		fault      int
		wantStatus string // "" for no item
	}{
		{"code already used", true, 0, ""},
		{"wechat busy", false, -1, statusPending},
		{"ip not allowed", false, 61004, statusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.pushTicket(t)
			appID, code, err := e.sim.AuthorizeAccount()
			if err != nil {
				t.Fatal(err)
			}
			if tc.used {
				ct, _, f := e.svc.componentToken(lambdaCtx(t), e.creds(t), 0)
				if f != nil {
					t.Fatal(f.Message)
				}
				if _, err := e.svc.wechat.QueryAuth(lambdaCtx(t), ct, componentAppID, code); err != nil {
					t.Fatal(err)
				}
			}
			if tc.fault != 0 {
				e.sim.ScriptComponent("api_query_auth", wxtest.Fault{Errcode: tc.fault})
			}
			if res, err := e.sim.PushAuthorized(context.Background(), e.url, appID, code, false); err != nil || res.Status != 200 || res.Body != "success" {
				t.Fatalf("push = %+v, %v; want 200 success", res, err)
			}
			item := e.item(t, appID)
			if tc.wantStatus == "" && item != nil || tc.wantStatus != "" && (str(item, attrStatus) != tc.wantStatus || item[attrAccessToken] != nil) {
				t.Errorf("item = %v; want status %q and no access_token", item, tc.wantStatus)
			}
			e.noSecretIn(t, "logs", e.logs.String(), appID)
		})
	}
}
