package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/wxindustry/getindustry/internal/onboard"
)

// stubService is a PreAuthCoder and Authorizer for the example.
type stubService struct{}

func (stubService) CreatePreAuthCode(ctx context.Context) (string, int, error) {
	return "preauthcode@@@example", 600, nil
}

func (stubService) Authorize(ctx context.Context, code string) (onboard.Account, error) {
	return onboard.Account{AppID: "wx0123456789abcdef", FuncScopes: []int{1}}, nil
}

// The function mounts the handler on the three routes and tells it the
// domain the event was sent to (a Function URL's requestContext.domainName),
// since WX_PUBLIC_BASE_URL is not set here.
func ExampleNewHandler() {
	h, err := onboard.NewHandler(onboard.Config{ComponentAppID: "wx5555555555555555"}, stubService{}, stubService{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	for _, p := range []string{onboard.PathAuthorize, onboard.PathAuthorizeGo, onboard.PathCallback} {
		mux.Handle(p, h)
	}
	withDomain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		domain := "abcdefgh.lambda-url.ap-east-1.on.aws" // from the event, never r.Host
		mux.ServeHTTP(w, r.WithContext(onboard.WithDomainName(r.Context(), domain)))
	})

	w := httptest.NewRecorder()
	withDomain.ServeHTTP(w, httptest.NewRequest("GET", "/component/authorize/go", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output:
	// 302 https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wx5555555555555555&pre_auth_code=preauthcode%40%40%40example&redirect_uri=https%3A%2F%2Fabcdefgh.lambda-url.ap-east-1.on.aws%2Fcomponent%2Fcallback&auth_type=1
}
