package wxtest_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func ExampleSimulator_Script() {
	sim := wxtest.NewSimulator("ACCESS_TOKEN")
	sim.Script(wxtest.Fault{Status: http.StatusBadGateway}) // the next reply only
	srv := wxtest.NewServer(sim)
	defer srv.Close()

	for range 2 {
		resp, err := http.Get(srv.URL + wxtest.PathGetIndustry + "?access_token=ACCESS_TOKEN")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, len(body) > 0)
	}
	fmt.Println("calls:", sim.Calls())
	// Output:
	// 502 true
	// 200 true
	// calls: 2
}
