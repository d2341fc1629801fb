package emf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// AppendJSON appends the record, as one EMF document, to dst and returns the
// extended buffer:
//
//	{"_aws":{"Timestamp":ms,"CloudWatchMetrics":[{"Namespace":...,"Dimensions":[[...]],"Metrics":[{"Name":...,"Unit":...}]}]}, members...}
//
// It returns an error matching ErrInvalid, joining every problem found, when
// the record breaks the specification, and a wrapped encoding/json error when
// a property value cannot be marshalled; dst is then returned unchanged.
// Error texts name members but never carry dimension or property values.
// Passing a buffer kept from an earlier call lets a caller write records
// without allocating.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	if err := r.check(); err != nil {
		return dst, err
	}
	ts := r.Time
	if ts.IsZero() {
		ts = time.Now()
	}
	b := append(dst, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, r.namespace)
	b = append(b, `,"Dimensions":`...)
	b = r.appendSets(b)
	b = append(b, `,"Metrics":[`...)
	first := true
	for i := range r.members {
		m := &r.members[i]
		if m.kind != metric {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"Name":`...)
		b = appendString(b, m.name)
		if m.str != "" {
			b = append(b, `,"Unit":`...)
			b = appendString(b, m.str)
		}
		b = append(b, '}')
	}
	b = append(b, "]}]}"...)
	for i := range r.members {
		m := &r.members[i]
		b = append(b, ',')
		b = appendString(b, m.name)
		b = append(b, ':')
		var err error
		if b, err = m.appendValue(b); err != nil {
			return dst, fmt.Errorf("emf: %s %q: %w", m.kind, m.name, err)
		}
	}
	return append(b, '}'), nil
}

// MarshalJSON returns the record as one EMF document, as AppendJSON writes
// it, and AppendJSON's errors.
func (r *Record) MarshalJSON() ([]byte, error) {
	line, err := r.AppendJSON(make([]byte, 0, r.size()))
	if err != nil {
		return nil, err
	}
	return line, nil
}

// WriteTo writes the record as one line (the JSON document followed by "\n")
// with a single Write, so that lines from concurrent writers do not
// interleave on a writer that keeps single writes whole (os.Stdout under
// Lambda does). It writes nothing when the record cannot be marshalled, and
// returns AppendJSON's error.
func (r *Record) WriteTo(w io.Writer) (int64, error) {
	line, err := r.AppendJSON(make([]byte, 0, r.size()+1))
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(line, '\n'))
	if err != nil {
		return int64(n), fmt.Errorf("emf: write record: %w", err)
	}
	return int64(n), nil
}

// size estimates the length of the record's JSON document, so that
// MarshalJSON and WriteTo allocate once.
func (r *Record) size() int {
	n := 96 + len(r.namespace) + 3*len(r.setNames)
	for _, name := range r.setNames {
		n += len(name)
	}
	for i := range r.members {
		m := &r.members[i]
		n += 4 + len(m.name) + len(m.str)
		switch m.kind {
		case metric:
			n += 24 + len(m.name) + len(m.str) + 25*int(m.n)
		case dimension:
			n += 2 * (len(m.name) + 3)
		default:
			n += 24
		}
	}
	return n
}

// check returns every problem with the record, joined, or nil. It does not
// allocate unless there is a problem.
func (r *Record) check() error {
	var problems []error
	if len(r.problems) > 0 {
		problems = slices.Clone(r.problems)
	}
	problems = r.checkSets(problems)
	if err := checkNamespace(r.namespace); err != nil {
		problems = append(problems, err)
	}
	metrics := 0
	for i := range r.members {
		if r.members[i].kind == metric {
			metrics++
		}
	}
	if metrics > maxMetrics {
		problems = append(problems, invalidf("%d metrics exceed the limit of %d per record", metrics, maxMetrics))
	}
	return errors.Join(problems...)
}

// checkSets appends the problems with the dimension sets to problems. With
// no declared set, the one set is every dimension, in order.
func (r *Record) checkSets(problems []error) []error {
	if len(r.setEnds) == 0 {
		dims := 0
		for i := range r.members {
			if r.members[i].kind == dimension {
				dims++
			}
		}
		if dims > maxDimensionsPerSet {
			problems = append(problems, invalidf("%d dimensions exceed the limit of %d per set: declare smaller sets with DimensionSet", dims, maxDimensionsPerSet))
		}
		return problems
	}
	for s := range r.setEnds {
		set := r.set(s)
		if len(set) > maxDimensionsPerSet {
			problems = append(problems, invalidf("dimension set %q has %d names, more than %d", set, len(set), maxDimensionsPerSet))
		}
		for i, name := range set {
			j := r.find(name)
			switch {
			case j < 0:
				problems = append(problems, invalidf("dimension set %q names %q, which is not a dimension of the record", set, name))
			case r.members[j].kind != dimension:
				problems = append(problems, invalidf("dimension set %q names %q, which is a %s, not a dimension", set, name, r.members[j].kind))
			case slices.Contains(set[:i], name):
				problems = append(problems, invalidf("dimension set %q names %q twice", set, name))
			}
		}
	}
	return problems
}

// set returns the declared set number s.
func (r *Record) set(s int) []string {
	start := 0
	if s > 0 {
		start = r.setEnds[s-1]
	}
	return r.setNames[start:r.setEnds[s]:r.setEnds[s]]
}

// appendSets appends the "Dimensions" array: the declared sets less those
// equal to an earlier one, or the one set of every dimension.
func (r *Record) appendSets(b []byte) []byte {
	b = append(b, '[')
	if len(r.setEnds) == 0 {
		b = append(b, '[')
		first := true
		for i := range r.members {
			if r.members[i].kind != dimension {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, r.members[i].name)
		}
		return append(b, "]]"...)
	}
	first := true
	for s := range r.setEnds {
		set := r.set(s)
		if r.repeats(s, set) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '[')
		for i, name := range set {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// repeats reports whether a declared set before number s has the same names
// as set, in any order. Sets are checked to name each dimension once.
func (r *Record) repeats(s int, set []string) bool {
	for e := range s {
		earlier := r.set(e)
		if len(earlier) != len(set) {
			continue
		}
		same := true
		for _, name := range set {
			if !slices.Contains(earlier, name) {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// appendValue appends the JSON value of the member.
func (m *member) appendValue(b []byte) ([]byte, error) {
	switch m.kind {
	case dimension:
		return appendString(b, m.str), nil
	case metric:
		if m.n == 1 {
			return appendFloat(b, m.num), nil
		}
		b = append(b, '[')
		b = appendFloat(b, m.num)
		for _, v := range m.more {
			b = appendFloat(append(b, ','), v)
		}
		return append(b, ']'), nil
	}
	switch m.vk {
	case valueString:
		return appendString(b, m.str), nil
	case valueBool:
		return strconv.AppendBool(b, m.n != 0), nil
	case valueInt:
		return strconv.AppendInt(b, m.n, 10), nil
	case valueFloat:
		return appendFloat(b, m.num), nil
	}
	return appendAny(b, m.prop)
}

var _ json.Marshaler = (*Record)(nil)
var _ io.WriterTo = (*Record)(nil)
