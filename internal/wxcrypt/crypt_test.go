package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// rawEncrypt encrypts plain (a whole number of blocks) with no framing or
// padding, to build ciphertexts Encrypt would never make.
func rawEncrypt(tb testing.TB, key *Key, plain []byte) string {
	tb.Helper()
	block, err := aes.NewCipher(key.b[:])
	if err != nil {
		tb.Fatal(err)
	}
	out := bytes.Clone(plain)
	cipher.NewCBCEncrypter(block, key.b[:aes.BlockSize]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out)
}

// framed is random + length + msg + appid with the given trailing padding.
func framed(length uint32, msg, appID string, pad []byte) []byte {
	b := bytes.Repeat([]byte{'r'}, RandomSize)
	b = binary.BigEndian.AppendUint32(b, length)
	b = append(b, msg...)
	b = append(b, appID...)
	return append(b, pad...)
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name, key string
		ok        bool
	}{
		{"sample", javaEncodingAESKey, true},
		{"empty", "", false},
		{"42 characters", javaEncodingAESKey[:42], false},
		{"44 characters", javaEncodingAESKey + "=", false},
		{"not base64", strings.Repeat("*", 43), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.key)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrKey)) {
				t.Fatalf("ParseKey() err = %v; want ok %v", err, tt.ok)
			}
			if err != nil && tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Errorf("ParseKey() err = %q quotes the key", err)
			}
			if k != nil && fmt.Sprintf("%v %+v %#v %s", k, k, k, k) != "REDACTED REDACTED REDACTED REDACTED" {
				t.Errorf("a Key prints as %v", k)
			}
		})
	}
}

func TestDecryptRejects(t *testing.T) {
	key := mustKey(t, javaEncodingAESKey)
	const app = "wxb11529c136998cb6"
	msg := "<xml>SECRET-PLAINTEXT</xml>"
	n := RandomSize + 4 + len(msg) + len(app)
	good := framed(uint32(len(msg)), msg, app, bytes.Repeat([]byte{byte(32 - n%32)}, 32-n%32))
	if len(good)%32 != 0 {
		t.Fatalf("test setup: %d bytes", len(good))
	}
	flip := func(b []byte, i int, v byte) []byte { c := bytes.Clone(b); c[len(c)+i] = v; return c }
	tests := []struct {
		name    string
		encrypt string
	}{
		{"empty", ""},
		{"not base64", "!!!!"},
		{"url-safe base64", strings.NewReplacer("+", "-", "/", "_").Replace(javaEncrypt)},
		{"one AES block", rawEncrypt(t, key, good[:16])},
		{"48 bytes", rawEncrypt(t, key, good[:48])},
		{"padding byte 0", rawEncrypt(t, key, flip(good, -1, 0))},
		{"padding byte 33", rawEncrypt(t, key, flip(good, -1, 33))},
		{"padding inconsistent", rawEncrypt(t, key, flip(good, -2, 0x7f))},
		{"length past end", rawEncrypt(t, key, framed(1<<20, msg, app, bytes.Repeat([]byte{byte(32 - n%32)}, 32-n%32)))},
		{"length max uint32", rawEncrypt(t, key, framed(1<<32-1, msg, app, bytes.Repeat([]byte{byte(32 - n%32)}, 32-n%32)))},
		{"all padding", rawEncrypt(t, key, bytes.Repeat([]byte{32}, 32))},
		{"too long", strings.Repeat("A", MaxEncryptLen+4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, appID, err := Decrypt(key, tt.encrypt)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decrypt() = %q, %q, %v; want ErrMalformed", got, appID, err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("Decrypt() err = %q quotes the plaintext", err)
			}
		})
	}
	if _, appID, err := Decrypt(key, rawEncrypt(t, key, good)); err != nil || appID != app {
		t.Fatalf("Decrypt(well-formed control) = %q, %v; want %q", appID, err, app)
	}
}

func TestEncryptPadsToWholeBlocks(t *testing.T) {
	key := mustKey(t, javaEncodingAESKey)
	random := bytes.Repeat([]byte{7}, RandomSize)
	for size := range 70 {
		msg := bytes.Repeat([]byte{'m'}, size)
		enc, err := Encrypt(key, random, msg, "wx0123456789abcdef")
		if err != nil {
			t.Fatalf("Encrypt(%d bytes) err = %v", size, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Fatalf("Encrypt(%d bytes) gave %d bytes; want a multiple of 32", size, len(raw))
		}
		got, appID, err := Decrypt(key, enc)
		if err != nil || !bytes.Equal(got, msg) || appID != "wx0123456789abcdef" {
			t.Fatalf("Decrypt(Encrypt(%d bytes)) = %q, %q, %v", size, got, appID, err)
		}
	}
	if _, err := Encrypt(key, random[:15], nil, "wx"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Encrypt(15 random bytes) err = %v; want ErrMalformed", err)
	}
	if _, err := Encrypt(key, random, make([]byte, MaxEncryptLen), "wx"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Encrypt(oversized) err = %v; want ErrMalformed", err)
	}
}

func TestVerifySignatureRejects(t *testing.T) {
	good := Signature(wecomToken, wecomTimestamp, wecomNonce, wecomEncrypt)
	tests := []struct{ name, sig string }{
		{"empty", ""},
		{"truncated", good[:39]},
		{"extended", good + "0"},
		{"other token", Signature("other", wecomTimestamp, wecomNonce, wecomEncrypt)},
		{"unsorted concatenation", sha1Hex(wecomToken + wecomTimestamp + wecomNonce + wecomEncrypt)},
		{"huge", strings.Repeat("a", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifySignature(wecomToken, wecomTimestamp, wecomNonce, wecomEncrypt, tt.sig); !errors.Is(err, ErrSignature) {
				t.Errorf("VerifySignature() err = %v; want ErrSignature", err)
			}
		})
	}
}
