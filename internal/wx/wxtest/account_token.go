package wxtest

import "time"

// SetAccountToken makes tok an authorizer_access_token of the Official
// Account appID, valid until expires, as if the platform had obtained it:
// get_industry then answers tok with the account's own industry
// (AccountIndustry, or SetAccountIndustry's). The account is created,
// authorized, if the simulator does not know it; the tokens it held before
// stop working at once (40001), as a token replaced past its overlap does.
// It needs no SetComponent, which forgets such accounts.
func (s *Simulator) SetAccountToken(appID, tok string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cs.accounts == nil {
		s.cs.accounts = map[string]*account{}
	}
	if s.cs.byToken == nil {
		s.cs.byToken = map[string]*account{}
	}
	a := s.cs.accounts[appID]
	if a == nil {
		a = &account{appID: appID, authorized: true, authTime: s.nowLocked(), tokens: map[string]*issuedToken{}}
		s.cs.accounts[appID] = a
		s.cs.order = append(s.cs.order, a)
	}
	now := s.nowLocked()
	for old, t := range a.tokens {
		if old != tok {
			t.revoked = now
		}
	}
	a.current = tok
	a.tokens[tok] = &issuedToken{expires: expires}
	s.cs.byToken[tok] = a
}
