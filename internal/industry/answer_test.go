package industry_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
)

func TestAnswerBodyAndETag(t *testing.T) {
	other := testIndustry
	other.SecondaryIndustry.SecondClass = "建筑"
	etagRE := regexp.MustCompile(`^"[A-Za-z0-9_-]{22}"$`)
	get := func(t *testing.T, ind wx.Industry) *industry.Answer {
		t.Helper()
		a, err := industry.NewCache(okGetter(ind), industry.Options{TTL: time.Minute}).Get(context.Background())
		if err != nil {
			t.Fatalf("Get() err = %v", err)
		}
		return a
	}
	tests := []struct {
		name     string
		a, b     wx.Industry
		sameETag bool
	}{
		{"same body, same ETag across caches", testIndustry, testIndustry, true},
		{"different body, different ETag", testIndustry, other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := get(t, tt.a), get(t, tt.b)
			for _, ans := range []*industry.Answer{a, b} {
				if !etagRE.MatchString(ans.ETag) {
					t.Errorf("ETag = %s; want a strong quoted tag of 22 base64url characters", ans.ETag)
				}
				var back wx.Industry
				if err := json.Unmarshal(ans.Body, &back); err != nil {
					t.Errorf("Body %s is not JSON: %v", ans.Body, err)
				}
			}
			if (a.ETag == b.ETag) != tt.sameETag {
				t.Errorf("ETags %s and %s: same = %v; want %v", a.ETag, b.ETag, a.ETag == b.ETag, tt.sameETag)
			}
		})
	}
	if a := get(t, testIndustry); string(a.Body) != testBody {
		t.Errorf("Body = %s; want %s", a.Body, testBody)
	}
}

func TestMaxAge(t *testing.T) {
	clk := newClock()
	c := industry.NewCache(okGetter(testIndustry), industry.Options{TTL: 5 * time.Minute, Now: clk.Now})
	a, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Get() err = %v", err)
	}
	if !a.Expires.Equal(a.FetchedAt.Add(5 * time.Minute)) {
		t.Fatalf("Expires = %v; want FetchedAt + TTL", a.Expires)
	}
	tests := []struct {
		name  string
		after time.Duration
		want  int
	}{
		{"just fetched", 0, 300},
		{"partial seconds round down", 209500 * time.Millisecond, 90},
		{"last fraction of a second", 5*time.Minute - time.Millisecond, 0},
		{"at expiry", 5 * time.Minute, 0},
		{"past expiry", time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.MaxAge(a.FetchedAt.Add(tt.after)); got != tt.want {
				t.Errorf("MaxAge(FetchedAt+%v) = %d; want %d", tt.after, got, tt.want)
			}
		})
	}
	bypass, err := industry.NewCache(okGetter(testIndustry), industry.Options{Now: clk.Now}).Get(context.Background())
	if err != nil || !bypass.Expires.Equal(bypass.FetchedAt) || bypass.MaxAge(clk.Now()) != 0 {
		t.Errorf("bypass answer = %+v, %v; want Expires == FetchedAt and MaxAge 0", bypass, err)
	}
}
