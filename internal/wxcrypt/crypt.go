package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes of the scheme.
const (
	// EncodingAESKeyLen is the length of an EncodingAESKey as the WeChat
	// console shows it: 43 characters of base64 without the final "=".
	EncodingAESKeyLen = 43
	// KeySize is the AES-256 key size in bytes.
	KeySize = 32
	// RandomSize is the length of the random prefix of every plaintext.
	RandomSize = 16
	// blockSize is the PKCS#7 padding block of the scheme (not AES's 16).
	blockSize = 32
	// MaxEncryptLen is the longest Encrypt text (base64) accepted by Decrypt
	// and the longest plaintext Encrypt produces, roughly; WeChat's pushes
	// are well under 2 KiB.
	MaxEncryptLen = 64 << 10
)

// Sentinel errors. They are returned wrapped with context; test for them
// with errors.Is.
var (
	// ErrSignature reports a missing or wrong msg_signature: the push is
	// not from someone who knows the token (HTTP 401).
	ErrSignature = errors.New("bad signature")
	// ErrMalformed reports input that is not the envelope, not base64, not
	// a whole number of blocks, badly padded, not laid out as the scheme
	// says, not the push XML, or too large (HTTP 400).
	ErrMalformed = errors.New("malformed")
	// ErrAppID reports a plaintext meant for another appid (HTTP 400).
	ErrAppID = errors.New("appid mismatch")
	// ErrKey reports an EncodingAESKey that is not 43 base64 characters.
	ErrKey = errors.New("invalid EncodingAESKey")
)

// Key is the AES key derived from an EncodingAESKey. Its String, GoString
// and LogValue print REDACTED. The zero Key is not usable; use ParseKey.
type Key struct {
	b [KeySize]byte
}

// ParseKey decodes an EncodingAESKey (43 characters of standard base64; the
// "=" WeChat leaves off is added here) into a Key. It returns an error
// wrapping ErrKey, without quoting the key, for anything else.
func ParseKey(encodingAESKey string) (*Key, error) {
	if len(encodingAESKey) != EncodingAESKeyLen {
		return nil, fmt.Errorf("wxcrypt: %w: want %d characters, got %d", ErrKey, EncodingAESKeyLen, len(encodingAESKey))
	}
	raw, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(raw) != KeySize {
		return nil, fmt.Errorf("wxcrypt: %w: not base64", ErrKey)
	}
	k := &Key{}
	copy(k.b[:], raw)
	return k, nil
}

// String returns "REDACTED".
func (k *Key) String() string { return "REDACTED" }

// GoString returns "REDACTED".
func (k *Key) GoString() string { return "REDACTED" }

// Encrypt returns the Encrypt text for msg addressed to appID: base64 of
// AES-256-CBC(key, IV = key[:16]) over random + 4-byte big-endian len(msg) +
// msg + appID, PKCS#7-padded to 32 bytes. random must be RandomSize bytes;
// WeChat uses fresh random bytes for each message (crypto/rand), tests a
// fixed value to compare with a published vector. It returns an error
// wrapping ErrMalformed for a wrong random size or an oversized message.
func Encrypt(key *Key, random []byte, msg []byte, appID string) (string, error) {
	if len(random) != RandomSize {
		return "", fmt.Errorf("wxcrypt: encrypt: %w: random prefix must be %d bytes", ErrMalformed, RandomSize)
	}
	n := RandomSize + 4 + len(msg) + len(appID)
	if n > MaxEncryptLen/4*3-blockSize {
		return "", fmt.Errorf("wxcrypt: encrypt: %w: message too large", ErrMalformed)
	}
	pad := blockSize - n%blockSize
	plain := make([]byte, 0, n+pad)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, appID...)
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, err := aes.NewCipher(key.b[:])
	if err != nil {
		return "", fmt.Errorf("wxcrypt: encrypt: %w", err)
	}
	cipher.NewCBCEncrypter(block, key.b[:aes.BlockSize]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

// Decrypt reverses Encrypt: it returns the message and the appid found
// after it. It does not check the appid (Codec.Open does). Every failure —
// oversized or non-base64 input, a length that is not a whole number of
// 32-byte blocks, bad PKCS#7 padding (checked strictly: every padding byte),
// a length field running past the end — wraps ErrMalformed, and no error
// text quotes the input or the plaintext.
func Decrypt(key *Key, encrypt string) (msg []byte, appID string, err error) {
	if len(encrypt) > MaxEncryptLen {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: Encrypt longer than %d bytes", ErrMalformed, MaxEncryptLen)
	}
	data, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: not base64", ErrMalformed)
	}
	if len(data) == 0 || len(data)%blockSize != 0 {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: %d bytes is not a whole number of %d-byte blocks", ErrMalformed, len(data), blockSize)
	}
	block, err := aes.NewCipher(key.b[:])
	if err != nil {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w", err)
	}
	cipher.NewCBCDecrypter(block, key.b[:aes.BlockSize]).CryptBlocks(data, data)
	plain, ok := unpad(data)
	if !ok {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: bad padding", ErrMalformed)
	}
	if len(plain) < RandomSize+4 {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: plaintext too short", ErrMalformed)
	}
	size := binary.BigEndian.Uint32(plain[RandomSize : RandomSize+4])
	rest := plain[RandomSize+4:]
	if uint64(size) > uint64(len(rest)) {
		return nil, "", fmt.Errorf("wxcrypt: decrypt: %w: message length runs past the end", ErrMalformed)
	}
	return rest[:size], string(rest[size:]), nil
}

// unpad strips PKCS#7 padding for 32-byte blocks: the last byte n must be
// 1..32 and the last n bytes must all be n.
func unpad(b []byte) ([]byte, bool) {
	n := int(b[len(b)-1])
	if n < 1 || n > blockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
