package wx

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// decodeReply runs a 200 reply through both decoding steps, as GetIndustry
// does.
func decodeReply(body []byte) (*Industry, error) {
	b, err := parseReply(opGetIndustry, body, nil, nil)
	if err != nil {
		return nil, err
	}
	return decodeIndustry(b)
}

func TestDecodeReply(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     *Industry
		wantCode int  // *Error with this errcode
		wantBad  bool // ErrBadResponse
	}{
		{name: "doc example", body: `{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`,
			want: &Industry{Class{"运输与仓储", "快递"}, Class{"IT科技", "互联网|电子商务"}}},
		{name: "escaped unicode", body: `{"primary_industry":{"first_class":"\u623f\u5730\u4ea7|\u5efa\u7b51","second_class":""}}`,
			want: &Industry{PrimaryIndustry: Class{FirstClass: "房地产|建筑"}}},
		{name: "errcode", body: `{"errcode":40001,"errmsg":"invalid credential rid: 1-2"}`, wantCode: 40001},
		{name: "errcode beats industry", body: `{"errcode":-1,"errmsg":"system error","primary_industry":{}}`, wantCode: -1},
		{name: "errcode null is absent", body: `{"errcode":null,"primary_industry":{"first_class":"a"}}`, want: &Industry{PrimaryIndustry: Class{FirstClass: "a"}}},
		{name: "empty", body: ``, wantBad: true},
		{name: "not json", body: `<html>`, wantBad: true},
		{name: "truncated", body: `{"primary_industry":{"first_class":"运输`, wantBad: true},
		{name: "neither", body: `{"foo":1}`, wantBad: true},
		{name: "errcode float", body: `{"errcode":40001.5}`, wantBad: true},
		{name: "class wrong type", body: `{"primary_industry":{"first_class":1}}`, wantBad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeReply([]byte(tt.body))
			switch {
			case tt.wantCode != 0:
				var e *Error
				if !errors.As(err, &e) || e.Code != tt.wantCode {
					t.Fatalf("decode(%q) err = %v; want errcode %d", tt.body, err, tt.wantCode)
				}
			case tt.wantBad:
				if !errors.Is(err, ErrBadResponse) {
					t.Fatalf("decode(%q) = %v, %v; want ErrBadResponse", tt.body, got, err)
				}
			default:
				if err != nil || *got != *tt.want {
					t.Fatalf("decode(%q) = %+v, %v; want %+v", tt.body, got, err, tt.want)
				}
			}
		})
	}
}

// FuzzDecodeIndustry checks the reply decoder on arbitrary bodies: it never
// panics, every failure is exactly one of *Error (errcode != 0, rid taken
// from errmsg) or ErrBadResponse, and a success survives a JSON round trip.
// Seeds live in testdata/fuzz/FuzzDecodeIndustry.
func FuzzDecodeIndustry(f *testing.F) {
	f.Add([]byte(`{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`))
	f.Add([]byte(`{"errcode":45011,"errmsg":"api minute-quota reach limit  mustslower  retry next minute rid: 1-2-3"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ind, err := decodeReply(body)
		if err == nil {
			if ind == nil {
				t.Fatal("decode() = nil, nil")
			}
			b, merr := json.Marshal(ind)
			if merr != nil {
				t.Fatalf("json.Marshal(%+v) err = %v", ind, merr)
			}
			again, derr := decodeReply(b)
			if derr != nil || *again != *ind {
				t.Fatalf("round trip of %+v = %+v, %v", ind, again, derr)
			}
			return
		}
		if ind != nil {
			t.Fatalf("decode() = %+v, %v; want nil industry with an error", ind, err)
		}
		var e *Error
		isErr, isBad := errors.As(err, &e), errors.Is(err, ErrBadResponse)
		if isErr == isBad {
			t.Fatalf("decode() err = %v; want exactly one of *Error or ErrBadResponse", err)
		}
		if isErr && (e.Code == 0 || !strings.Contains(e.Message, e.RID)) {
			t.Fatalf("decode() err = %#v; want errcode != 0 and rid taken from errmsg", e)
		}
		if !strings.HasPrefix(err.Error(), "wx: get_industry: ") {
			t.Fatalf("decode() err = %q; want the wx: get_industry: prefix", err)
		}
	})
}
