package emf_test

import (
	"fmt"
	"os"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
)

// ExampleRecord builds the line the getindustry function writes for one
// invocation, here one that failed because WeChat stayed busy (errcode -1)
// through three attempts. Every invocation is counted under [Service]; a
// failed one also under [Service ErrorCode], and one where WeChat answered
// with an errcode also under [Service WeChatErrcode].
func ExampleRecord() {
	r := emf.New("GetIndustry") // WX_METRICS_NAMESPACE
	r.Time = time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	r.Dimension("Service", "getindustry-GetIndustryFunction-1A2B3C").DimensionSet("Service")
	r.Dimension("ErrorCode", "wechat_busy").DimensionSet("Service", "ErrorCode")
	r.Dimension("WeChatErrcode", "-1").DimensionSet("Service", "WeChatErrcode")
	r.Metric("Invocations", 1, emf.Count).
		Metric("Errors", 1, emf.Count).
		Metric("WeChatLatency", 812.5, emf.Milliseconds).
		Metric("WeChatCalls", 3, emf.Count).
		Metric("WeChatErrors", 3, emf.Count).
		Metric("CacheHits", 0, emf.Count).
		Metric("StaleAnswers", 0, emf.Count).
		Metric("TokenRefreshes", 0, emf.Count).
		Metric("ColdStarts", 1, emf.Count).
		Property("requestId", "8f5e6b1c-2d3a-4e5f-9a0b-1c2d3e4f5a6b").
		Property("event_shape", "apigw-http")
	if _, err := r.WriteTo(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1795579200000,"CloudWatchMetrics":[{"Namespace":"GetIndustry","Dimensions":[["Service"],["Service","ErrorCode"],["Service","WeChatErrcode"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"WeChatLatency","Unit":"Milliseconds"},{"Name":"WeChatCalls","Unit":"Count"},{"Name":"WeChatErrors","Unit":"Count"},{"Name":"CacheHits","Unit":"Count"},{"Name":"StaleAnswers","Unit":"Count"},{"Name":"TokenRefreshes","Unit":"Count"},{"Name":"ColdStarts","Unit":"Count"}]}]},"Service":"getindustry-GetIndustryFunction-1A2B3C","ErrorCode":"wechat_busy","WeChatErrcode":"-1","Invocations":1,"Errors":1,"WeChatLatency":812.5,"WeChatCalls":3,"WeChatErrors":3,"CacheHits":0,"StaleAnswers":0,"TokenRefreshes":0,"ColdStarts":1,"requestId":"8f5e6b1c-2d3a-4e5f-9a0b-1c2d3e4f5a6b","event_shape":"apigw-http"}
}

// ExampleRecord_cacheHit is a warm invocation answered from the industry
// cache: no WeChat call, so only the [Service] dimension set.
func ExampleRecord_cacheHit() {
	r := emf.New("GetIndustry")
	r.Time = time.Date(2026, 11, 25, 4, 0, 1, 0, time.UTC)
	r.Dimension("Service", "getindustry-GetIndustryFunction-1A2B3C").DimensionSet("Service").
		Metric("Invocations", 1, emf.Count).
		Metric("Errors", 0, emf.Count).
		Metric("WeChatCalls", 0, emf.Count).
		Metric("CacheHits", 1, emf.Count).
		Property("requestId", "c0ffee00-0000-4000-8000-000000000001").
		Property("event_shape", "direct")
	line, err := r.MarshalJSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(line))
	// Output:
	// {"_aws":{"Timestamp":1795579201000,"CloudWatchMetrics":[{"Namespace":"GetIndustry","Dimensions":[["Service"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"WeChatCalls","Unit":"Count"},{"Name":"CacheHits","Unit":"Count"}]}]},"Service":"getindustry-GetIndustryFunction-1A2B3C","Invocations":1,"Errors":0,"WeChatCalls":0,"CacheHits":1,"requestId":"c0ffee00-0000-4000-8000-000000000001","event_shape":"direct"}
}
