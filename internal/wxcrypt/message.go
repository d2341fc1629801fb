package wxcrypt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strconv"
)

// MaxBodyLen is the largest push body (the envelope) ParseEnvelope accepts.
const MaxBodyLen = MaxEncryptLen + 4<<10

// InfoType values of the pushes a third-party platform acts on.
const (
	InfoTicket           = "component_verify_ticket"
	InfoAuthorized       = "authorized"
	InfoUpdateAuthorized = "updateauthorized"
	InfoUnauthorized     = "unauthorized"
)

// Envelope is the body of an encrypted push:
// <xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>. AppID may be empty (the
// pushes of other WeChat products carry ToUserName instead); the appid that
// counts is the one inside the ciphertext.
type Envelope struct {
	XMLName xml.Name `xml:"xml"`
	AppID   string   `xml:"AppId"`
	Encrypt string   `xml:"Encrypt"`
}

// ParseEnvelope decodes a push body. A body over MaxBodyLen, one that is not
// XML with root <xml>, or one without a non-empty Encrypt is an error
// wrapping ErrMalformed that does not quote the body.
func ParseEnvelope(body []byte) (*Envelope, error) {
	if len(body) > MaxBodyLen {
		return nil, fmt.Errorf("wxcrypt: envelope: %w: body longer than %d bytes", ErrMalformed, MaxBodyLen)
	}
	var env Envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wxcrypt: envelope: %w: %s", ErrMalformed, xmlProblem(err))
	}
	if env.Encrypt == "" {
		return nil, fmt.Errorf("wxcrypt: envelope: %w: no Encrypt", ErrMalformed)
	}
	return &env, nil
}

// Message is a decrypted push of the third-party platform's authorization
// event URL. Which fields are set depends on InfoType:
// component_verify_ticket sets ComponentVerifyTicket; authorized and
// updateauthorized set AuthorizerAppID, AuthorizationCode,
// AuthorizationCodeExpiredTime and PreAuthCode; unauthorized sets
// AuthorizerAppID. The ticket and the codes are secrets: String, GoString
// and LogValue print them as REDACTED.
type Message struct {
	XMLName                      xml.Name `xml:"xml"`
	AppID                        string   `xml:"AppId"` // the platform's component_appid
	CreateTime                   int64    `xml:"CreateTime"`
	InfoType                     string   `xml:"InfoType"`
	ComponentVerifyTicket        string   `xml:"ComponentVerifyTicket"`
	AuthorizerAppID              string   `xml:"AuthorizerAppid"`
	AuthorizationCode            string   `xml:"AuthorizationCode"`
	AuthorizationCodeExpiredTime int64    `xml:"AuthorizationCodeExpiredTime"`
	PreAuthCode                  string   `xml:"PreAuthCode"`
}

// ParseMessage decodes a decrypted push. Anything but XML with root <xml>
// and a non-empty InfoType, or a known InfoType without the fields it needs
// (ComponentVerifyTicket; AuthorizerAppid and, except for unauthorized,
// AuthorizationCode), is an error wrapping ErrMalformed that quotes nothing
// of the input. An unknown InfoType is returned as is: WeChat adds kinds.
func ParseMessage(b []byte) (*Message, error) {
	if len(b) > MaxEncryptLen {
		return nil, fmt.Errorf("wxcrypt: message: %w: longer than %d bytes", ErrMalformed, MaxEncryptLen)
	}
	var m Message
	if err := xml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("wxcrypt: message: %w: %s", ErrMalformed, xmlProblem(err))
	}
	if missing := m.missing(); missing != "" {
		return nil, fmt.Errorf("wxcrypt: message: %w: no %s", ErrMalformed, missing)
	}
	return &m, nil
}

// missing names the first field m's InfoType needs and lacks, or "".
func (m *Message) missing() string {
	switch {
	case m.InfoType == "":
		return "InfoType"
	case m.InfoType == InfoTicket && m.ComponentVerifyTicket == "":
		return "ComponentVerifyTicket"
	case (m.InfoType == InfoAuthorized || m.InfoType == InfoUpdateAuthorized || m.InfoType == InfoUnauthorized) && m.AuthorizerAppID == "":
		return "AuthorizerAppid"
	case (m.InfoType == InfoAuthorized || m.InfoType == InfoUpdateAuthorized) && m.AuthorizationCode == "":
		return "AuthorizationCode"
	}
	return ""
}

// cdata is an element whose text is written as <![CDATA[…]]>, as WeChat
// writes its strings.
type cdata struct {
	Text string `xml:",cdata"`
}

// messageXML is Message as WeChat writes it: strings in CDATA, absent
// fields left out.
type messageXML struct {
	XMLName                      xml.Name `xml:"xml"`
	AppID                        *cdata   `xml:"AppId,omitempty"`
	CreateTime                   int64    `xml:"CreateTime"`
	InfoType                     *cdata   `xml:"InfoType,omitempty"`
	ComponentVerifyTicket        *cdata   `xml:"ComponentVerifyTicket,omitempty"`
	AuthorizerAppID              *cdata   `xml:"AuthorizerAppid,omitempty"`
	AuthorizationCode            *cdata   `xml:"AuthorizationCode,omitempty"`
	AuthorizationCodeExpiredTime int64    `xml:"AuthorizationCodeExpiredTime,omitempty"`
	PreAuthCode                  *cdata   `xml:"PreAuthCode,omitempty"`
}

// opt returns nil for "" so that omitempty leaves the element out.
func opt(s string) *cdata {
	if s == "" {
		return nil
	}
	return &cdata{s}
}

// MarshalXML writes m the way WeChat does, as in
// <xml><AppId><![CDATA[wx…]]></AppId><CreateTime>1413192605</CreateTime>
// <InfoType><![CDATA[component_verify_ticket]]></InfoType>…</xml>.
func (m Message) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.Encode(messageXML{
		AppID: opt(m.AppID), CreateTime: m.CreateTime, InfoType: opt(m.InfoType),
		ComponentVerifyTicket: opt(m.ComponentVerifyTicket), AuthorizerAppID: opt(m.AuthorizerAppID),
		AuthorizationCode: opt(m.AuthorizationCode), AuthorizationCodeExpiredTime: m.AuthorizationCodeExpiredTime,
		PreAuthCode: opt(m.PreAuthCode),
	})
}

// String prints m's fields with the ticket and codes REDACTED.
func (m Message) String() string {
	var b bytes.Buffer
	b.WriteString("wxcrypt.Message{AppID:" + m.AppID + ", CreateTime:" + strconv.FormatInt(m.CreateTime, 10) +
		", InfoType:" + m.InfoType + ", AuthorizerAppID:" + m.AuthorizerAppID)
	for _, f := range []struct{ name, v string }{
		{"ComponentVerifyTicket", m.ComponentVerifyTicket}, {"AuthorizationCode", m.AuthorizationCode}, {"PreAuthCode", m.PreAuthCode},
	} {
		if f.v != "" {
			b.WriteString(", " + f.name + ":REDACTED")
		}
	}
	b.WriteString("}")
	return b.String()
}

// GoString makes %#v print the same as String.
func (m Message) GoString() string { return m.String() }

// LogValue logs the appids, the time and the InfoType, never the ticket or
// the codes.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("info_type", m.InfoType),
		slog.String("component_appid", m.AppID),
		slog.String("authorizer_appid", m.AuthorizerAppID),
		slog.Int64("create_time", m.CreateTime),
	)
}

// xmlProblem describes an XML decoding error without quoting the input.
func xmlProblem(err error) string {
	if se, ok := err.(*xml.SyntaxError); ok {
		return "invalid XML at line " + strconv.Itoa(se.Line)
	}
	if _, ok := err.(xml.UnmarshalError); ok {
		return "not the expected XML element"
	}
	return "invalid XML"
}
