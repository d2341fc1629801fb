package wxcrypt

import (
	"crypto/sha1"
	"encoding/xml"
	"fmt"
)

// Codec opens and seals the pushes of one third-party platform: its message
// token, its key and its component_appid. It is immutable and safe for
// concurrent use.
type Codec struct {
	token string
	key   *Key
	appID string
}

// NewCodec returns a Codec for the platform with this message token,
// EncodingAESKey and component_appid. It returns an error (wrapping ErrKey
// for a bad key) when any is empty or the key is not 43 base64 characters;
// the error never quotes the token or the key.
func NewCodec(token, encodingAESKey, appID string) (*Codec, error) {
	if token == "" || appID == "" {
		return nil, fmt.Errorf("wxcrypt: codec: token and appid must not be empty")
	}
	key, err := ParseKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	return &Codec{token: token, key: key, appID: appID}, nil
}

// String returns a description without the token or the key.
func (c *Codec) String() string { return "wxcrypt.Codec{AppID:" + c.appID + "}" }

// GoString makes %#v print the same as String.
func (c *Codec) GoString() string { return c.String() }

// Open checks and decrypts one push: body is the request body, the other
// arguments the query parameters of the same names. The signature comes
// first: a missing or malformed one is refused before the body is parsed,
// and a wrong one (checked against the envelope's Encrypt text, which it
// covers) before anything is decrypted; both wrap ErrSignature. Then Open
// decrypts, checks that the plaintext is addressed to this platform
// (ErrAppID) and parses the message; every other failure wraps
// ErrMalformed. It does not judge the timestamp's age: the receiver, which
// has the clock, does.
func (c *Codec) Open(timestamp, nonce, msgSignature string, body []byte) (*Message, error) {
	if len(msgSignature) != sha1.Size*2 {
		return nil, fmt.Errorf("wxcrypt: %w", ErrSignature) // missing or not a SHA-1: refused before the body is read
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if err := VerifySignature(c.token, timestamp, nonce, env.Encrypt, msgSignature); err != nil {
		return nil, err
	}
	plain, appID, err := Decrypt(c.key, env.Encrypt)
	if err != nil {
		return nil, err
	}
	if appID != c.appID {
		return nil, fmt.Errorf("wxcrypt: open: %w: plaintext for another appid", ErrAppID)
	}
	return ParseMessage(plain)
}

// Seal is WeChat's side of Open, for simulators and tests: it encodes m as
// WeChat does, encrypts it for this platform with the given 16 random
// bytes, and returns the envelope body and its msg_signature for timestamp
// and nonce.
func (c *Codec) Seal(random []byte, timestamp, nonce string, m *Message) (body []byte, msgSignature string, err error) {
	plain, err := xml.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("wxcrypt: seal: %w", err)
	}
	enc, err := Encrypt(c.key, random, plain, c.appID)
	if err != nil {
		return nil, "", err
	}
	body, err = xml.Marshal(envelopeXML{AppID: &cdata{c.appID}, Encrypt: &cdata{enc}})
	if err != nil {
		return nil, "", fmt.Errorf("wxcrypt: seal: %w", err)
	}
	return body, Signature(c.token, timestamp, nonce, enc), nil
}

// envelopeXML is Envelope as WeChat writes it.
type envelopeXML struct {
	XMLName xml.Name `xml:"xml"`
	AppID   *cdata   `xml:"AppId"`
	Encrypt *cdata   `xml:"Encrypt"`
}
