package wxcrypt

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"testing"
)

// Published vectors. Nothing here was produced by this package: a mistake
// made the same way in Encrypt and Decrypt cannot pass these tests.
//
// Vector 1 is from the test of Tencent's Java sample code for the Official
// Account platform (WXBizMsgCryptTest.java), as carried by
// github.com/chanjarster/weixin-java-tools,
// weixin-java-common/src/test/java/me/chanjar/weixin/common/util/crypto/WxCryptUtilTest.java
// (testAesEncrypt, testAesEncrypt2): a fixed random prefix makes the
// ciphertext deterministic.
const (
	javaEncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	javaAppID          = "wxb11529c136998cb6"
	javaRandom         = "aaaabbbbccccdddd"
	javaMsg            = "我是中文abcd123"
	javaEncrypt        = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	javaMsg2           = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
	javaEncrypt2       = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
)

// Vector 2 is the sample push of Tencent's WXBizMsgCrypt sample code (the
// same scheme, for WeCom, with the corp id in place of the appid), as
// asserted by github.com/w7corp/easywechat,
// tests/Kernel/Traits/DecryptXmlMessageTest.php: POST
// ?msg_signature=477715d1…&timestamp=1409659813&nonce=1372623149. The URL
// check of the same sample (msg_signature 5c45ff5e…, echostr P9nAzC…) is in
// Tencent's PHP sample, e.g. LeoEatle/WXBizMsgCryptNode's copy of it.
const (
	wecomToken          = "QDG6eK"
	wecomEncodingAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	wecomReceiver       = "wx5823bf96d3bd56c7"
	wecomTimestamp      = "1409659813"
	wecomNonce          = "1372623149"
	wecomSignature      = "477715d11cdb4164915debcba66cb864d751f3e6"
	wecomEncrypt        = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	wecomEchoTimestamp  = "1409659589"
	wecomEchoNonce      = "263014780"
	wecomEchoStr        = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	wecomEchoSignature  = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
)

func mustKey(tb testing.TB, s string) *Key {
	tb.Helper()
	k, err := ParseKey(s)
	if err != nil {
		tb.Fatalf("ParseKey() err = %v", err)
	}
	return k
}

func TestEncryptPublishedVector(t *testing.T) {
	key := mustKey(t, javaEncodingAESKey)
	tests := []struct {
		name, msg, want string
	}{
		{"short chinese", javaMsg, javaEncrypt},
		{"video message", javaMsg2, javaEncrypt2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encrypt(key, []byte(javaRandom), []byte(tt.msg), javaAppID)
			if err != nil || got != tt.want {
				t.Fatalf("Encrypt() = %q, %v; want the published ciphertext %q", got, err, tt.want)
			}
			msg, appID, err := Decrypt(key, tt.want)
			if err != nil || string(msg) != tt.msg || appID != javaAppID {
				t.Fatalf("Decrypt(published) = %q, %q, %v; want %q, %q", msg, appID, err, tt.msg, javaAppID)
			}
		})
	}
}

func TestSignaturePublishedVector(t *testing.T) {
	tests := []struct {
		name, timestamp, nonce, encrypt, want string
	}{
		{"push", wecomTimestamp, wecomNonce, wecomEncrypt, wecomSignature},
		{"url check", wecomEchoTimestamp, wecomEchoNonce, wecomEchoStr, wecomEchoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Signature(wecomToken, tt.timestamp, tt.nonce, tt.encrypt); got != tt.want {
				t.Errorf("Signature() = %s; want %s", got, tt.want)
			}
			if err := VerifySignature(wecomToken, tt.timestamp, tt.nonce, tt.encrypt, tt.want); err != nil {
				t.Errorf("VerifySignature(published) err = %v; want nil", err)
			}
		})
	}
}

func TestDecryptPublishedPush(t *testing.T) {
	key := mustKey(t, wecomEncodingAESKey)
	msg, receiver, err := Decrypt(key, wecomEncrypt)
	if err != nil || receiver != wecomReceiver {
		t.Fatalf("Decrypt(published) receiver = %q, err = %v; want %q", receiver, err, wecomReceiver)
	}
	var got struct {
		ToUserName, FromUserName, CreateTime, MsgType, Content, MsgId, AgentID string
	}
	if err := xml.Unmarshal(msg, &got); err != nil {
		t.Fatalf("decrypted sample is not XML: %v", err)
	}
	want := struct {
		ToUserName, FromUserName, CreateTime, MsgType, Content, MsgId, AgentID string
	}{wecomReceiver, "mycreate", "1409659813", "text", "hello", "4561255354251345929", "218"}
	if got != want {
		t.Errorf("decrypted sample = %+v; want %+v", got, want)
	}
	echo, receiver, err := Decrypt(key, wecomEchoStr)
	if err != nil || receiver != wecomReceiver || len(echo) == 0 {
		t.Errorf("Decrypt(echostr) = %q, %q, %v; want a message for %q", echo, receiver, err, wecomReceiver)
	}
}

// TestOpenPublishedPush opens the published push through Codec, the path a
// receiver takes, and checks that it is refused for anyone else.
func TestOpenPublishedPush(t *testing.T) {
	body := []byte("<xml><ToUserName><![CDATA[" + wecomReceiver + "]]></ToUserName><Encrypt><![CDATA[" + wecomEncrypt + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>")
	tests := []struct {
		name, token, appID, sig string
		want                    error // nil: the message decrypts, but it is not a platform push
	}{
		{"published", wecomToken, wecomReceiver, wecomSignature, ErrMalformed},
		{"another token", "QDG6eL", wecomReceiver, wecomSignature, ErrSignature},
		{"another appid", wecomToken, "wx0000000000000000", wecomSignature, ErrAppID},
		{"signature upper case", wecomToken, wecomReceiver, "477715D11CDB4164915DEBCBA66CB864D751F3E6", ErrMalformed},
		{"signature off by one", wecomToken, wecomReceiver, "477715d11cdb4164915debcba66cb864d751f3e7", ErrSignature},
		{"no signature", wecomToken, wecomReceiver, "", ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCodec(tt.token, wecomEncodingAESKey, tt.appID)
			if err != nil {
				t.Fatalf("NewCodec() err = %v", err)
			}
			_, err = c.Open(wecomTimestamp, wecomNonce, tt.sig, body)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open() err = %v; want %v", err, tt.want)
			}
		})
	}
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
