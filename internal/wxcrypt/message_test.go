package wxcrypt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	platformToken  = "SENTINEL-MSG-TOKEN"
	platformAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	platformAppID  = "wx1111111111111111"
	ticket         = "ticket@@@SENTINEL-TICKET"
	authCode       = "queryauthcode@@@SENTINEL-CODE"
)

func newCodec(tb testing.TB, appID string) *Codec {
	tb.Helper()
	c, err := NewCodec(platformToken, platformAESKey, appID)
	if err != nil {
		tb.Fatalf("NewCodec() err = %v", err)
	}
	return c
}

func TestSealOpen(t *testing.T) {
	c := newCodec(t, platformAppID)
	random := []byte("0123456789abcdef")
	tests := []struct {
		name string
		m    Message
	}{
		{"ticket", Message{AppID: platformAppID, CreateTime: 1413192605, InfoType: InfoTicket, ComponentVerifyTicket: ticket}},
		{"authorized", Message{AppID: platformAppID, CreateTime: 1413192760, InfoType: InfoAuthorized, AuthorizerAppID: "wxaaaaaaaaaaaaaaaa",
			AuthorizationCode: authCode, AuthorizationCodeExpiredTime: 1413196360, PreAuthCode: "preauthcode@@@x"}},
		{"updateauthorized", Message{AppID: platformAppID, CreateTime: 1413192760, InfoType: InfoUpdateAuthorized, AuthorizerAppID: "wxaaaaaaaaaaaaaaaa",
			AuthorizationCode: authCode, AuthorizationCodeExpiredTime: 1413196360}},
		{"unauthorized", Message{AppID: platformAppID, CreateTime: 1413192760, InfoType: InfoUnauthorized, AuthorizerAppID: "wxaaaaaaaaaaaaaaaa"}},
		{"unknown kind", Message{AppID: platformAppID, CreateTime: 1, InfoType: "notify_third_fasteregister"}},
		{"markup in values", Message{AppID: platformAppID, InfoType: InfoTicket, ComponentVerifyTicket: "a]]>b<c>&d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, sig, err := c.Seal(random, "1413192605", "nonce", &tt.m)
			if err != nil {
				t.Fatalf("Seal() err = %v", err)
			}
			got, err := c.Open("1413192605", "nonce", sig, body)
			if err != nil {
				t.Fatalf("Open(Seal()) err = %v", err)
			}
			got.XMLName = xml.Name{}
			if *got != tt.m {
				t.Errorf("Open(Seal(%v)) = %v", tt.m, got)
			}
			if _, err := c.Open("1413192606", "nonce", sig, body); !errors.Is(err, ErrSignature) {
				t.Errorf("Open(another timestamp) err = %v; want ErrSignature", err)
			}
			if _, err := newCodec(t, "wx2222222222222222").Open("1413192605", "nonce", sig, body); !errors.Is(err, ErrAppID) {
				t.Errorf("Open(another platform) err = %v; want ErrAppID", err)
			}
		})
	}
}

// TestMessageWireFormat checks that Seal writes what WeChat writes: strings
// in CDATA, absent fields left out.
func TestMessageWireFormat(t *testing.T) {
	b, err := xml.Marshal(Message{AppID: platformAppID, CreateTime: 1413192605, InfoType: InfoTicket, ComponentVerifyTicket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	want := "<xml><AppId><![CDATA[wx1111111111111111]]></AppId><CreateTime>1413192605</CreateTime>" +
		"<InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[t]]></ComponentVerifyTicket></xml>"
	if string(b) != want {
		t.Errorf("xml.Marshal(Message) = %s; want %s", b, want)
	}
}

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name, xml string
		ok        bool
	}{
		// The documented examples (component_verify_ticket and authorization
		// change pages of WeChat's third-party platform docs), values shortened.
		{"documented ticket", "<xml><AppId>some_appid</AppId><CreateTime>1413192605</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>some_verify_ticket</ComponentVerifyTicket></xml>", true},
		{"documented authorized, placeholder time", "<xml><AppId>第三方平台appid</AppId><CreateTime>1413192760</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>公众号appid</AuthorizerAppid><AuthorizationCode>授权码</AuthorizationCode><AuthorizationCodeExpiredTime>过期时间</AuthorizationCodeExpiredTime><PreAuthCode>预授权码</PreAuthCode></xml>", false},
		{"authorized", "<xml><AppId>a</AppId><CreateTime>1413192760</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>b</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode><AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime></xml>", true},
		{"unauthorized", "<xml><AppId>a</AppId><InfoType>unauthorized</InfoType><AuthorizerAppid>b</AuthorizerAppid></xml>", true},
		{"unknown kind", "<xml><InfoType>whatever</InfoType></xml>", true},
		{"ticket missing", "<xml><InfoType>component_verify_ticket</InfoType></xml>", false},
		{"authorized without code", "<xml><InfoType>authorized</InfoType><AuthorizerAppid>b</AuthorizerAppid></xml>", false},
		{"unauthorized without appid", "<xml><InfoType>unauthorized</InfoType></xml>", false},
		{"no InfoType", "<xml><AppId>a</AppId></xml>", false},
		{"other root", "<root><InfoType>authorized</InfoType></root>", false},
		{"not xml", "SECRET{", false},
		{"truncated", "<xml><InfoType>SECRET", false},
		{"empty", "", false},
		{"too long", "<xml><InfoType>x</InfoType>" + strings.Repeat(" ", MaxEncryptLen) + "</xml>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tt.xml))
			if (err == nil) != tt.ok {
				t.Fatalf("ParseMessage() = %v, %v; want ok %v", m, err, tt.ok)
			}
			if err != nil && (!errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "SECRET")) {
				t.Errorf("ParseMessage() err = %q; want ErrMalformed quoting nothing", err)
			}
		})
	}
}

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"platform push", "<xml><AppId><![CDATA[wx1]]></AppId><Encrypt><![CDATA[abc]]></Encrypt></xml>", true},
		{"message push", "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>", true},
		{"no Encrypt", "<xml><AppId>wx1</AppId></xml>", false},
		{"empty Encrypt", "<xml><AppId>wx1</AppId><Encrypt></Encrypt></xml>", false},
		{"other root", "<msg><Encrypt>abc</Encrypt></msg>", false},
		{"json", `{"Encrypt":"abc"}`, false},
		{"empty", "", false},
		{"too long", "<xml><Encrypt>" + strings.Repeat("A", MaxBodyLen) + "</Encrypt></xml>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tt.body))
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrMalformed)) {
				t.Fatalf("ParseEnvelope() = %+v, %v; want ok %v", env, err, tt.ok)
			}
		})
	}
}

// TestSecretsNeverPrinted formats a Message and a Codec every way and logs
// them; the ticket, the code, the token and the key must appear nowhere.
func TestSecretsNeverPrinted(t *testing.T) {
	c := newCodec(t, platformAppID)
	m := Message{AppID: platformAppID, InfoType: InfoAuthorized, AuthorizerAppID: "wxaaaaaaaaaaaaaaaa",
		AuthorizationCode: authCode, PreAuthCode: "SENTINEL-PRE", ComponentVerifyTicket: ticket}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("push", "message", m, "codec", c, "ptr", &m)
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v", m, m, m, &m, c, c, c) + buf.String()
	for _, secret := range []string{platformToken, platformAESKey, "SENTINEL"} {
		if strings.Contains(out, secret) {
			t.Errorf("formatted output contains %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "wxaaaaaaaaaaaaaaaa") || !strings.Contains(out, "REDACTED") {
		t.Errorf("formatted output lost the appid or the REDACTED marks: %s", out)
	}
	// Every failure of Open, with the sentinel in every input.
	body, sig, _ := c.Seal([]byte("0123456789abcdef"), "1", "n", &m)
	for _, in := range []struct{ sig, body string }{
		{"", string(body)}, {sig, "SENTINEL<xml"}, {strings.Repeat("0", 40), string(body)},
	} {
		if _, err := c.Open("1", "n", in.sig, []byte(in.body)); err == nil || strings.Contains(err.Error(), "SENTINEL") {
			t.Errorf("Open() err = %v; want an error quoting nothing", err)
		}
	}
	if _, err := NewCodec(platformToken, "SENTINEL", platformAppID); err == nil || strings.Contains(err.Error(), "SENTINEL") {
		t.Errorf("NewCodec(bad key) err = %v; want an error quoting nothing", err)
	}
}
