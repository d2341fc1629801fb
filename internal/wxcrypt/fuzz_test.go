package wxcrypt

import (
	"errors"
	"testing"
)

// FuzzDecrypt checks that no Encrypt text makes Decrypt panic, that every
// failure wraps ErrMalformed, and that what it accepts encrypts back to a
// text that decrypts the same. Seeds: the published vectors and
// testdata/fuzz/FuzzDecrypt; `go test` runs them.
func FuzzDecrypt(f *testing.F) {
	for _, s := range []string{javaEncrypt, javaEncrypt2, wecomEncrypt, wecomEchoStr, "", "AAAA", "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmk="} {
		f.Add(s)
	}
	key := mustKey(f, javaEncodingAESKey)
	random := []byte("aaaabbbbccccdddd")
	f.Fuzz(func(t *testing.T, encrypt string) {
		msg, appID, err := Decrypt(key, encrypt)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decrypt() err = %v; want ErrMalformed", err)
			}
			return
		}
		again, err := Encrypt(key, random, msg, appID)
		if err != nil {
			t.Fatalf("Encrypt(Decrypt()) err = %v", err)
		}
		msg2, appID2, err := Decrypt(key, again)
		if err != nil || string(msg2) != string(msg) || appID2 != appID {
			t.Fatalf("round trip = %q, %q, %v; want %q, %q", msg2, appID2, err, msg, appID)
		}
	})
}

// FuzzOpen drives the receiver's whole path (envelope, signature, decrypt,
// appid, message) with arbitrary bodies, each also signed correctly so
// that the fuzzer gets past the signature: no panic, and every failure is
// one of the three sentinels a receiver maps to 401 or 400.
func FuzzOpen(f *testing.F) {
	c, err := NewCodec(platformToken, platformAESKey, platformAppID)
	if err != nil {
		f.Fatal(err)
	}
	sealed, _, err := c.Seal([]byte("0123456789abcdef"), "1", "n", &Message{AppID: platformAppID, InfoType: InfoTicket, ComponentVerifyTicket: "t"})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(sealed), "<xml><Encrypt>" + javaEncrypt + "</Encrypt></xml>", "<xml><Encrypt>AAAA</Encrypt></xml>", "<xml/>", "<"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sig := "0000000000000000000000000000000000000000"
		if env, err := ParseEnvelope(body); err == nil {
			sig = Signature(platformToken, "1", "n", env.Encrypt)
		}
		m, err := c.Open("1", "n", sig, body)
		switch {
		case err == nil && m.missing() != "":
			t.Fatalf("Open() = %v without %s", m, m.missing())
		case err != nil && !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAppID):
			t.Fatalf("Open() err = %v; want a sentinel", err)
		}
	})
}
