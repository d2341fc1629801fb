// Package lru is a bounded, goroutine-safe map that forgets its least
// recently used entry when full. Multi-account mode keeps one per-account
// cache entry per appid in one, so that a caller cycling through many appids
// cannot grow the process without bound.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps keys to values and holds at most its capacity of them. Get and
// Add count as a use. The zero value is not usable; call New. A Cache is
// safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used; elements hold *item[K, V]
	items map[K]*list.Element
}

type item[K comparable, V any] struct {
	key K
	val V
}

// New returns a Cache holding at most size entries (at least 1).
func New[K comparable, V any](size int) *Cache[K, V] {
	return &Cache[K, V]{max: max(size, 1), order: list.New(), items: make(map[K]*list.Element)}
}

// Get returns the value for key and whether it was present.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*item[K, V]).val, true
}

// GetOrAdd returns the value for key, or adds the value made by newValue
// (called at most once, under the Cache's lock, so it must be cheap and must
// not use the Cache) and returns that. Adding to a full Cache evicts the
// least recently used entry.
func (c *Cache[K, V]) GetOrAdd(key K, newValue func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*item[K, V]).val
	}
	v := newValue()
	c.addLocked(key, v)
	return v
}

// Add sets the value for key, evicting the least recently used entry if the
// Cache is full.
func (c *Cache[K, V]) Add(key K, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*item[K, V]).val = val
		c.order.MoveToFront(el)
		return
	}
	c.addLocked(key, val)
}

// Remove deletes key, if present.
func (c *Cache[K, V]) Remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache[K, V]) addLocked(key K, val V) {
	if len(c.items) >= c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*item[K, V]).key)
	}
	c.items[key] = c.order.PushFront(&item[K, V]{key: key, val: val})
}
