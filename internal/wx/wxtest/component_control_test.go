package wxtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// TestComponentControl drives the platform side over the control API, as
// make local does from another process.
func TestComponentControl(t *testing.T) {
	sim := wxtest.NewSimulator()
	srv := newServer(t, sim)
	codec, _ := wxcrypt.NewCodec(platform.Token, platform.EncodingAESKey, platform.AppID)
	rcv := &receiver{codec: codec}
	rsrv := httptest.NewServer(rcv)
	t.Cleanup(rsrv.Close)
	post := func(path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, text := send(t, http.MethodPost, srv.URL+path, string(b))
		var out map[string]any
		_ = json.Unmarshal([]byte(text), &out)
		return resp.StatusCode, out
	}
	if code, _ := post("/_sim/component", map[string]string{"appid": platform.AppID, "appsecret": platform.AppSecret,
		"token": platform.Token, "encoding_aes_key": platform.EncodingAESKey}); code != http.StatusNoContent {
		t.Fatalf("/_sim/component = %d; want 204", code)
	}
	_, auth := post("/_sim/component/authorize", map[string]any{"funcs": []int{1}})
	appID, _ := auth["appid"].(string)
	if !strings.HasPrefix(appID, "wx") || auth["auth_code"] == "" {
		t.Fatalf("/_sim/component/authorize = %v", auth)
	}
	tests := []struct {
		name, path string
		body       any
		want       int
	}{
		{"ticket push", "/_sim/component/push", map[string]string{"url": rsrv.URL, "info_type": "component_verify_ticket"}, 200},
		{"authorized push", "/_sim/component/push", map[string]string{"url": rsrv.URL, "info_type": "authorized", "appid": appID, "auth_code": auth["auth_code"].(string)}, 200},
		{"unknown push", "/_sim/component/push", map[string]string{"url": rsrv.URL, "info_type": "other"}, 400},
		{"rotate", "/_sim/component/rotate_refresh_token", map[string]string{"appid": appID}, 400}, // no refresh token before api_query_auth
		{"reauthorize", "/_sim/component/reauthorize", map[string]string{"appid": appID}, 200},
		{"revoke", "/_sim/component/revoke", map[string]string{"appid": appID}, 204},
		{"revoke unknown", "/_sim/component/revoke", map[string]string{"appid": "wxffffffffffffffff"}, 400},
		{"ip", "/_sim/component/ip_allowed", map[string]bool{"allowed": false}, 204},
		{"script", "/_sim/component/script", map[string]any{"op": "api_query_auth", "faults": []map[string]int{{"errcode": -1}}}, 204},
		{"unknown field", "/_sim/component/ip_allowed", map[string]bool{"allow": false}, 400},
		{"unknown path", "/_sim/component/nope", map[string]bool{}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, out := post(tt.path, tt.body); code != tt.want {
				t.Errorf("POST %s = %d %v; want %d", tt.path, code, out, tt.want)
			} else if strings.HasSuffix(tt.path, "/push") && code == 200 && (out["status"] != 200.0 || out["body"] != "success") {
				t.Errorf("push answer = %v; want the receiver's 200 success", out)
			}
		})
	}
	if len(rcv.got) != 2 || rcv.got[1].AuthorizerAppID != appID {
		t.Errorf("receiver got %v; want the ticket and the authorization", rcv.got)
	}
	resp, text := send(t, http.MethodGet, srv.URL+"/_sim/component/stats", "")
	if resp.StatusCode != 200 || !strings.Contains(text, `"accounts":1`) || !strings.Contains(text, `"authorized":0`) {
		t.Errorf("stats = %d %s; want one account, none authorized", resp.StatusCode, text)
	}
}
