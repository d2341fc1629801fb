// Package wxcrypt implements WeChat's message encryption ("安全模式"), the
// scheme WeChat uses for the pushes it sends to a third-party platform's
// authorization event URL: the query carries timestamp, nonce,
// encrypt_type=aes and msg_signature; the body is
// <xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>.
//
// msg_signature is the hex SHA-1 of the sorted concatenation of the
// platform's message token, timestamp, nonce and the Encrypt text (Signature,
// VerifySignature, which compares in constant time). Encrypt is base64 of
// AES-256-CBC with the key base64-decode(EncodingAESKey + "=") (ParseKey),
// IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks, over 16
// random bytes, a 4-byte big-endian length, the XML message and the appid of
// the platform it is meant for (Encrypt, Decrypt). The message itself is
// parsed by ParseMessage (InfoType component_verify_ticket, authorized,
// updateauthorized, unauthorized, ...). Codec puts the steps together for a
// receiver (Open) and for WeChat's side in tests (Seal).
//
// Failures wrap ErrSignature (a receiver answers 401), ErrMalformed or
// ErrAppID (400). No error string contains a key, a token, a ticket, an
// authorization code or decrypted text. Every input is size-limited.
//
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/Message_encryption_and_decryption.html
// and https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_verify_ticket.html.
package wxcrypt
