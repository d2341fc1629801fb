package wxcrypt_test

import (
	"errors"
	"fmt"

	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// A receiver opens each push with the platform's Codec and maps the errors
// to HTTP statuses; here WeChat's side is played by Seal.
func ExampleCodec_Open() {
	codec, err := wxcrypt.NewCodec("msg-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1111111111111111")
	if err != nil {
		fmt.Println(err)
		return
	}
	push := &wxcrypt.Message{AppID: "wx1111111111111111", CreateTime: 1413192605,
		InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: "ticket@@@example"}
	body, sig, _ := codec.Seal([]byte("0123456789abcdef"), "1413192605", "1320562132", push)

	m, err := codec.Open("1413192605", "1320562132", sig, body)
	fmt.Println(m.InfoType, m.ComponentVerifyTicket, err)
	fmt.Println(m) // secrets are never printed

	_, err = codec.Open("1413192605", "1320562132", "0000000000000000000000000000000000000000", body)
	switch {
	case errors.Is(err, wxcrypt.ErrSignature):
		fmt.Println(401)
	case errors.Is(err, wxcrypt.ErrMalformed), errors.Is(err, wxcrypt.ErrAppID):
		fmt.Println(400)
	}
	// Output:
	// component_verify_ticket ticket@@@example <nil>
	// wxcrypt.Message{AppID:wx1111111111111111, CreateTime:1413192605, InfoType:component_verify_ticket, AuthorizerAppID:, ComponentVerifyTicket:REDACTED}
	// 401
}
