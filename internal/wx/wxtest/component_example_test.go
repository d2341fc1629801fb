package wxtest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// The simulator plays WeChat for a platform: it pushes a ticket to the
// platform's receiver (here one that opens it with wxcrypt) and then
// accepts that ticket at api_component_token.
func ExampleSimulator_PushTicket() {
	c := wxtest.Component{AppID: "wx1111111111111111", AppSecret: "secret", Token: "msg-token",
		EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	sim := wxtest.NewSimulator()
	if err := sim.SetComponent(c); err != nil {
		fmt.Println(err)
		return
	}
	codec, _ := wxcrypt.NewCodec(c.Token, c.EncodingAESKey, c.AppID)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		m, err := codec.Open(q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature"), body)
		if err != nil {
			http.Error(w, "refused", http.StatusBadRequest)
			return
		}
		fmt.Println("received", m.InfoType)
		_, _ = io.WriteString(w, "success")
	}))
	defer receiver.Close()

	_, res, err := sim.PushTicket(context.Background(), receiver.URL+"/component/events")
	fmt.Println(res.Status, res.Body, err)
	// Output:
	// received component_verify_ticket
	// 200 success <nil>
}
