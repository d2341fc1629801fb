package main

import (
	"context"
	"testing"
	"time"
)

// TestLeaseProtocol drives the lease rules against dynalite: one holder at
// a time, an expired lease taken over, no lease on an account that is not
// due, needs re-authorization or is gone, and no token written without the
// lease or onto a deleted item.
func TestLeaseProtocol(t *testing.T) {
	e := newEnv(t)
	ctx, st := context.Background(), e.svc.store
	now := e.clock.Now()
	cutoff := now.Add(refreshWindow)
	const id, other = "wx0000000000000001", "wx0000000000000002"
	tok := authorization{AppID: id, AccessToken: "SENTINEL-at", ExpiresAt: now.Add(2 * time.Hour), RefreshToken: "SENTINEL-rt"}
	if _, err := st.syncAccount(ctx, id, "SENTINEL-rt", 1, now); err != nil {
		t.Fatal(err)
	}
	item, err := st.lease(ctx, id, "run-a", now, cutoff)
	if err != nil || item.RefreshToken != "SENTINEL-rt" || item.Status != statusPending {
		t.Fatalf("lease by run-a = %+v, %v; want the item", item, err)
	}
	if _, err := st.lease(ctx, id, "run-b", now.Add(leaseTTL-time.Second), cutoff); !isLost(err) {
		t.Errorf("lease by run-b while run-a holds it = %v; want errLost", err)
	}
	if err := st.writeToken(ctx, tok, "run-b", now); !isLost(err) {
		t.Errorf("writeToken by run-b without the lease = %v; want errLost", err)
	}
	if _, err := st.lease(ctx, id, "run-b", now.Add(leaseTTL+time.Millisecond), cutoff); err != nil {
		t.Errorf("lease by run-b after run-a's expired = %v; want it taken", err)
	}
	if err := st.writeToken(ctx, tok, "run-a", now); !isLost(err) {
		t.Errorf("writeToken by run-a after losing the lease = %v; want errLost", err)
	}
	if err := st.writeToken(ctx, tok, "run-b", now); err != nil {
		t.Fatalf("writeToken by the holder = %v; want nil", err)
	}
	if item := e.item(t, id); item[attrLeaseOwner] != nil || str(item, attrStatus) != statusActive || str(item, attrAccessToken) != tok.AccessToken {
		t.Errorf("after the write: lease %v, status %q; want cleared, active", item[attrLeaseOwner] != nil, str(item, attrStatus))
	}
	if _, err := st.lease(ctx, id, "run-c", now.Add(leaseTTL*2), cutoff); !isLost(err) {
		t.Errorf("lease of an account no longer due = %v; want errLost", err)
	}
	due, _, err := st.dueAccounts(ctx, cutoff)
	if err != nil || len(due) != 0 {
		t.Errorf("dueAccounts = %v, %v; want none", due, err)
	}

	if _, err := st.lease(ctx, other, "run-a", now, cutoff); !isLost(err) {
		t.Errorf("lease of an account with no item = %v; want errLost (no item created)", err)
	}
	if err := st.writeToken(ctx, authorization{AppID: other, AccessToken: "x", RefreshToken: "y", ExpiresAt: now}, "run-a", now); !isLost(err) {
		t.Errorf("writeToken with no item = %v; want errLost", err)
	}
	if e.item(t, other) != nil {
		t.Error("a lease or write created an item")
	}

	late := now.Add(2*time.Hour - refreshWindow + time.Minute)
	if _, err := st.lease(ctx, id, "run-d", late, late.Add(refreshWindow)); err != nil {
		t.Fatalf("lease when due again = %v", err)
	}
	if err := st.markNeedsReauth(ctx, id, "run-d", late); err != nil {
		t.Fatal(err)
	}
	if _, err := st.lease(ctx, id, "run-e", late, late.Add(refreshWindow)); !isLost(err) {
		t.Errorf("lease of an account needing re-authorization = %v; want errLost", err)
	}
	due, awaiting, err := st.dueAccounts(ctx, late.Add(refreshWindow))
	if err != nil || len(due) != 0 || awaiting != 1 {
		t.Errorf("dueAccounts = %v, %d awaiting, %v; want none due, 1 awaiting", due, awaiting, err)
	}
	if res, err := st.syncAccount(ctx, id, "SENTINEL-rt2", 2, late); err != nil || res != syncUpdated {
		t.Fatalf("sync with a new refresh token = %v, %v; want updated", res, err)
	}
	if due, _, _ := st.dueAccounts(ctx, late.Add(refreshWindow)); len(due) != 1 {
		t.Errorf("after sync brought a new refresh token, due = %v; want the account", due)
	}
	if _, err := st.lease(ctx, id, "run-f", late, late.Add(refreshWindow)); err != nil {
		t.Fatal(err)
	}
	if err := st.deleteAccount(ctx, id, 3); err != nil {
		t.Fatal(err)
	}
	if err := st.writeToken(ctx, tok, "run-f", late); !isLost(err) {
		t.Errorf("writeToken onto a deleted item = %v; want errLost", err)
	}
	if e.item(t, id) != nil {
		t.Error("a write under a lease brought a deleted account back")
	}
}
