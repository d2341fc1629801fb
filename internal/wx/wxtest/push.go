package wxtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// PushTimeout is how long WeChat waits for a receiver to answer a push.
const PushTimeout = 5 * time.Second

// maxPushReply limits how much of a receiver's answer is read.
const maxPushReply = 64 << 10

// PushResult is a receiver's answer to a push.
type PushResult struct {
	Status int    // HTTP status
	Body   string // body, at most 64 KiB; WeChat wants "success"
}

// SealedPush is a push as WeChat sends it, before it is sent: the query
// (timestamp, nonce, encrypt_type=aes, msg_signature) and the body. Tests
// may tamper with it to forge pushes.
type SealedPush struct {
	Query url.Values
	Body  []byte
}

// SealPush builds the signed, encrypted push of m for the platform set with
// SetComponent, timestamped with the simulator's clock. m.AppID and
// m.CreateTime default to the platform's appid and the simulator's time.
func (s *Simulator) SealPush(m wxcrypt.Message) (*SealedPush, error) {
	s.mu.Lock()
	codec, appID, now := s.cs.codec, s.cs.conf.AppID, s.nowLocked()
	s.mu.Unlock()
	if codec == nil {
		return nil, fmt.Errorf("wxtest: push: SetComponent first")
	}
	if m.AppID == "" {
		m.AppID = appID
	}
	if m.CreateTime == 0 {
		m.CreateTime = now.Unix()
	}
	random := make([]byte, wxcrypt.RandomSize)
	_, _ = rand.Read(random)
	ts, nonce := strconv.FormatInt(now.Unix(), 10), strconv.FormatUint(uint64(randomUint32()), 10)
	body, sig, err := codec.Seal(random, ts, nonce, &m)
	if err != nil {
		return nil, fmt.Errorf("wxtest: push: %w", err)
	}
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"}, "msg_signature": {sig}}
	return &SealedPush{Query: q, Body: body}, nil
}

// Send POSTs p to receiverURL (its own query kept, the push's added) as
// WeChat does, with WeChat's 5-second patience, and returns the answer.
func (p *SealedPush) Send(ctx context.Context, receiverURL string) (PushResult, error) {
	u, err := url.Parse(receiverURL)
	if err != nil {
		return PushResult{}, fmt.Errorf("wxtest: push: receiver URL: %w", err)
	}
	q := u.Query()
	for k, v := range p.Query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, PushTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(p.Body))
	if err != nil {
		return PushResult{}, fmt.Errorf("wxtest: push: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return PushResult{}, fmt.Errorf("wxtest: push: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPushReply))
	if err != nil {
		return PushResult{Status: resp.StatusCode}, fmt.Errorf("wxtest: push: read answer: %w", err)
	}
	return PushResult{Status: resp.StatusCode, Body: string(b)}, nil
}

// Push seals m (see SealPush) and sends it to receiverURL.
func (s *Simulator) Push(ctx context.Context, receiverURL string, m wxcrypt.Message) (PushResult, error) {
	p, err := s.SealPush(m)
	if err != nil {
		return PushResult{}, err
	}
	return p.Send(ctx, receiverURL)
}

// PushTicket issues a new component_verify_ticket, the only one
// api_component_token accepts from now on (for TicketLifetime), and pushes
// it to receiverURL, as WeChat does every 10 minutes. It returns the ticket
// with the answer.
func (s *Simulator) PushTicket(ctx context.Context, receiverURL string) (ticket string, res PushResult, err error) {
	ticket = "ticket@@@" + randomToken(86)
	s.mu.Lock()
	s.cs.ticket, s.cs.ticketAt = ticket, s.nowLocked()
	s.mu.Unlock()
	res, err = s.Push(ctx, receiverURL, wxcrypt.Message{InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: ticket})
	return ticket, res, err
}

// Ticket returns the last ticket pushed ("" if none) without pushing, for
// tests that call api_component_token directly.
func (s *Simulator) Ticket() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.ticket
}

// PushAuthorized pushes an authorized event (infoType authorized, or
// updateauthorized when update is true) for appID with its authorization
// code, as returned by AuthorizeAccount or Reauthorize.
func (s *Simulator) PushAuthorized(ctx context.Context, receiverURL, appID, code string, update bool) (PushResult, error) {
	s.mu.Lock()
	var expires int64
	if c := s.cs.codes[code]; c != nil {
		expires = c.expires.Unix()
	}
	s.mu.Unlock()
	info := wxcrypt.InfoAuthorized
	if update {
		info = wxcrypt.InfoUpdateAuthorized
	}
	return s.Push(ctx, receiverURL, wxcrypt.Message{InfoType: info, AuthorizerAppID: appID,
		AuthorizationCode: code, AuthorizationCodeExpiredTime: expires})
}

// PushUnauthorized pushes an unauthorized event for appID (call Revoke
// first, as WeChat revokes before it tells).
func (s *Simulator) PushUnauthorized(ctx context.Context, receiverURL, appID string) (PushResult, error) {
	return s.Push(ctx, receiverURL, wxcrypt.Message{InfoType: wxcrypt.InfoUnauthorized, AuthorizerAppID: appID})
}

// randomUint32 returns a random nonce.
func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
