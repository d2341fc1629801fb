package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// metadata is the "_aws" member.
type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// directive is a MetricDirective.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is a MetricDefinition.
type definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit,omitempty"`
}

// MarshalJSON returns the record as one EMF document:
//
//	{"_aws":{"Timestamp":ms,"CloudWatchMetrics":[{"Namespace":...,"Dimensions":[[...]],"Metrics":[{"Name":...,"Unit":...}]}]}, members...}
//
// It returns an error matching ErrInvalid, joining every problem found, when
// the record breaks the specification, and a wrapped encoding/json error when
// a property value cannot be marshalled. Error texts name members but never
// carry dimension or property values.
func (r *Record) MarshalJSON() ([]byte, error) {
	sets, problems := r.dimensionSets()
	problems = append(slices.Clone(r.problems), problems...)
	if err := checkNamespace(r.namespace); err != nil {
		problems = append(problems, err)
	}
	meta := metadata{CloudWatchMetrics: []directive{{Namespace: r.namespace, Dimensions: sets, Metrics: []definition{}}}}
	for _, m := range r.members {
		if m.kind == metric {
			meta.CloudWatchMetrics[0].Metrics = append(meta.CloudWatchMetrics[0].Metrics, definition{Name: m.name, Unit: m.unit})
		}
	}
	if n := len(meta.CloudWatchMetrics[0].Metrics); n > maxMetrics {
		problems = append(problems, invalidf("%d metrics exceed the limit of %d per record", n, maxMetrics))
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}

	ts := r.Time
	if ts.IsZero() {
		ts = time.Now()
	}
	meta.Timestamp = ts.UnixMilli()
	var b bytes.Buffer
	enc := newJSONWriter(&b)
	b.WriteString(`{"_aws":`)
	if err := enc.value(meta); err != nil {
		return nil, fmt.Errorf("emf: encode metadata: %w", err)
	}
	for _, m := range r.members {
		b.WriteByte(',')
		enc.value(m.name) // a string: cannot fail
		b.WriteByte(':')
		if err := enc.value(m.value()); err != nil {
			return nil, fmt.Errorf("emf: %s %q: %w", m.kind, m.name, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WriteTo writes the record as one line (MarshalJSON followed by "\n") with a
// single Write, so that lines from concurrent writers do not interleave on a
// writer that keeps single writes whole (os.Stdout under Lambda does). It
// writes nothing when MarshalJSON fails, and returns MarshalJSON's error.
func (r *Record) WriteTo(w io.Writer) (int64, error) {
	line, err := r.MarshalJSON()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(line, '\n'))
	if err != nil {
		return int64(n), fmt.Errorf("emf: write record: %w", err)
	}
	return int64(n), nil
}

// value is what a member holds at the root of the document.
func (m *member) value() any {
	switch m.kind {
	case dimension:
		return m.str
	case metric:
		if len(m.values) == 1 {
			return m.values[0]
		}
		return m.values
	}
	return m.prop
}

// dimensionSets returns the sets to publish and the problems with them. With
// no declared set, it is the one set of every dimension, in order.
func (r *Record) dimensionSets() ([][]string, []error) {
	if len(r.sets) == 0 {
		all := []string{}
		for _, m := range r.members {
			if m.kind == dimension {
				all = append(all, m.name)
			}
		}
		if len(all) > maxDimensionsPerSet {
			return nil, []error{invalidf("%d dimensions exceed the limit of %d per set: declare smaller sets with DimensionSet", len(all), maxDimensionsPerSet)}
		}
		return [][]string{all}, nil
	}
	var problems []error
	sets := make([][]string, 0, len(r.sets))
	seen := make(map[string]bool)
	for _, set := range r.sets {
		if len(set) > maxDimensionsPerSet {
			problems = append(problems, invalidf("dimension set %q has %d names, more than %d", set, len(set), maxDimensionsPerSet))
		}
		for i, name := range set {
			j, ok := r.byName[name]
			switch {
			case !ok:
				problems = append(problems, invalidf("dimension set %q names %q, which is not a dimension of the record", set, name))
			case r.members[j].kind != dimension:
				problems = append(problems, invalidf("dimension set %q names %q, which is a %s, not a dimension", set, name, r.members[j].kind))
			case slices.Contains(set[:i], name):
				problems = append(problems, invalidf("dimension set %q names %q twice", set, name))
			}
		}
		key := slices.Clone(set)
		slices.Sort(key)
		if k := strings.Join(key, "\x00"); !seen[k] {
			seen[k] = true
			sets = append(sets, set)
		}
	}
	return sets, problems
}

// jsonWriter appends JSON values to a buffer, without HTML escaping (the line
// is read by CloudWatch and people, not by browsers) or trailing newlines.
type jsonWriter struct {
	out     *bytes.Buffer
	scratch bytes.Buffer
	enc     *json.Encoder
}

func newJSONWriter(out *bytes.Buffer) *jsonWriter {
	w := &jsonWriter{out: out}
	w.enc = json.NewEncoder(&w.scratch)
	w.enc.SetEscapeHTML(false)
	return w
}

// value appends the JSON encoding of v.
func (w *jsonWriter) value(v any) error {
	w.scratch.Reset()
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	w.out.Write(bytes.TrimSuffix(w.scratch.Bytes(), []byte("\n")))
	return nil
}

var _ json.Marshaler = (*Record)(nil)
var _ io.WriterTo = (*Record)(nil)
