package lru

import (
	"strconv"
	"sync"
	"testing"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := New[string, int](2)
	c.Add("a", 1)
	c.Add("b", 2)
	if _, ok := c.Get("a"); !ok { // a is now more recent than b
		t.Fatal("Get(a) missing right after Add")
	}
	c.Add("c", 3)
	tests := []struct {
		key  string
		want int
		ok   bool
	}{
		{"a", 1, true},
		{"b", 0, false},
		{"c", 3, true},
	}
	for _, tt := range tests {
		got, ok := c.Get(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %d, %v; want %d, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
	if n := c.Len(); n != 2 {
		t.Errorf("Len() = %d; want 2", n)
	}
}

func TestCacheGetOrAddCallsNewOnce(t *testing.T) {
	c := New[string, *int](10)
	calls := 0
	mk := func() *int { calls++; v := calls; return &v }
	first := c.GetOrAdd("k", mk)
	second := c.GetOrAdd("k", mk)
	if first != second || calls != 1 {
		t.Errorf("GetOrAdd twice: same value %v, newValue calls %d; want true, 1", first == second, calls)
	}
}

func TestCacheAddReplacesAndRemove(t *testing.T) {
	c := New[string, int](1)
	c.Add("k", 1)
	c.Add("k", 2)
	if got, _ := c.Get("k"); got != 2 {
		t.Errorf("Get after second Add = %d; want 2", got)
	}
	c.Remove("k")
	if _, ok := c.Get("k"); ok || c.Len() != 0 {
		t.Errorf("after Remove: present %v, Len %d; want false, 0", ok, c.Len())
	}
}

func TestCacheConcurrentUseStaysBounded(t *testing.T) {
	c := New[string, int](50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := strconv.Itoa((g*1000 + i) % 120)
				c.GetOrAdd(k, func() int { return i })
				c.Get(k)
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n != 50 {
		t.Errorf("Len() = %d after 120 distinct keys; want the bound, 50", n)
	}
}
