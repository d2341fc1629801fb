package emf

import (
	"math"
	"time"
)

// Limits from the EMF specification and the CloudWatch API reference.
const (
	maxMetrics           = 100  // MetricDefinitions per MetricDirective
	maxValuesPerMetric   = 100  // numbers in one metric's array
	maxDimensionsPerSet  = 30   // dimension keys per DimensionSet
	maxNamespaceLen      = 255  // CloudWatch Namespace
	maxMetricNameLen     = 255  // CloudWatch MetricName
	maxDimensionNameLen  = 250  // EMF DimensionReference
	maxDimensionValueLen = 1024 // EMF dimension target member
)

// reserved is the root member that holds the EMF metadata.
const reserved = "_aws"

// Sizes of a Record's inline storage: a record up to this size is built in
// one allocation (of 2 KB). The getindustry function's records have 14 to
// 17 members and 1 to 3 small dimension sets.
const (
	inlineMembers  = 18
	inlineSetNames = 8
	inlineSets     = 4
	// indexAt is the member count from which names are looked up in a map
	// rather than by scanning the members.
	indexAt = 32
)

// kind says what a root member is.
type kind uint8

const (
	dimension kind = iota + 1
	metric
	property
)

func (k kind) String() string {
	switch k {
	case dimension:
		return "dimension"
	case metric:
		return "metric"
	}
	return "property"
}

// valueKind says which field of a property member holds its value.
type valueKind uint8

const (
	valueString valueKind = iota // str
	valueBool                    // n: 0 or 1
	valueInt                     // n
	valueFloat                   // num
	valueJSON                    // prop, written by encoding/json
)

// member is one top-level member of the record besides "_aws". Its fields
// serve the three kinds in turn, so that it stays small.
type member struct {
	name string
	kind kind
	vk   valueKind // property: which field holds the value
	str  string    // dimension value; string property; metric unit
	num  float64   // metric: first value; float64 property
	more []float64 // metric: values after the first
	n    int64     // metric: number of values; int and bool property
	prop any       // property of any other type
}

// unit returns a metric member's unit.
func (m *member) unit() Unit { return Unit(m.str) }

// Record is one EMF log line: a namespace, dimension sets, metrics with units,
// and extra properties that CloudWatch keeps in the log event but does not turn
// into metrics (a request id, for example). Build it with New and the chaining
// methods, then write it with WriteTo, AppendJSON or MarshalJSON. Problems
// found while building (an empty name, a non-finite value, a name used twice
// for different kinds of member) are kept and reported together when the
// record is marshalled, so a chain of calls needs no error checks. Members are
// written in the order they were first added. A Record is not safe for
// concurrent use; build one per line.
type Record struct {
	// Time is the metrics' timestamp. The zero Time means the moment the
	// record is marshalled.
	Time time.Time

	namespace string
	members   []member       // in the order first added
	index     map[string]int // name to members index, once there are indexAt members
	setNames  []string       // the names of every declared set, one set after another
	setEnds   []int          // where each declared set ends in setNames
	problems  []error        // found while building, reported when marshalling

	// inline is where members, setNames and setEnds start, so that a
	// typical record costs one allocation.
	inline struct {
		members  [inlineMembers]member
		setNames [inlineSetNames]string
		setEnds  [inlineSets]int
	}
}

// New returns an empty Record whose metrics go to the CloudWatch namespace.
// The namespace is checked when the record is marshalled: 1 to 255 printable
// ASCII characters, not starting with ':' nor with the reserved prefix "AWS/".
func New(namespace string) *Record {
	r := &Record{namespace: namespace}
	r.members = r.inline.members[:0]
	r.setNames = r.inline.setNames[:0]
	r.setEnds = r.inline.setEnds[:0]
	return r
}

// Dimension sets the dimension name to value: a string member that dimension
// sets refer to. Setting the same dimension again replaces its value. When no
// DimensionSet is declared, the record has one dimension set made of every
// dimension in the order they were added; once any DimensionSet is declared,
// the declared sets are used instead. Names are 1 to 250 and values 1 to 1024
// printable ASCII characters, not only spaces; a name may not start with ':'.
func (r *Record) Dimension(name, value string) *Record {
	if err := checkDimensionName(name); err != nil {
		r.problems = append(r.problems, err)
		return r
	}
	if reason := asciiProblem(value, maxDimensionValueLen); reason != "" {
		r.fail("dimension %q: value %s", name, reason) // the value itself stays out of the error
		return r
	}
	if m := r.slot(name, dimension); m != nil {
		m.str = value
	}
	return r
}

// DimensionSet declares a set of dimensions under which every metric of the
// record is published; each set is one more CloudWatch metric per metric name.
// Every name must be set with Dimension (before or after the call), a set holds
// at most 30 names, and a name may appear once in it. An empty set publishes
// the metrics with no dimensions. A set equal to an earlier one, in any order,
// is ignored, so that no data point is counted twice.
func (r *Record) DimensionSet(names ...string) *Record {
	r.setNames = append(r.setNames, names...)
	r.setEnds = append(r.setEnds, len(r.setNames))
	return r
}

// Metric adds a value to the metric name, measured in unit. Adding the same
// metric again appends the value (CloudWatch receives an array, up to 100
// values) and must use the same unit. Values must be finite; names are 1 to
// 255 characters; a record holds at most 100 metrics.
func (r *Record) Metric(name string, value float64, unit Unit) *Record {
	if err := checkName(metric, name, maxMetricNameLen); err != nil {
		r.problems = append(r.problems, err)
		return r
	}
	switch {
	case math.IsNaN(value) || math.IsInf(value, 0):
		r.fail("metric %q: value is not finite", name)
		return r
	case !unit.Valid():
		r.fail("metric %q: unit %q is not a CloudWatch unit", name, unit)
		return r
	}
	m := r.slot(name, metric)
	switch {
	case m == nil:
	case m.n == 0:
		m.str, m.num, m.n = string(unit), value, 1
	case m.unit() != unit:
		r.fail("metric %q: unit %q differs from the earlier %q", name, unit, m.unit())
	case m.n == maxValuesPerMetric:
		r.fail("metric %q: more than %d values", name, maxValuesPerMetric)
	default:
		m.more = append(m.more, value)
		m.n++
	}
	return r
}

// Property sets an extra member that CloudWatch keeps in the log event, where
// Logs Insights can query it, without making it a metric or a dimension.
// Setting the same property again replaces its value. Strings, bools, ints and
// finite float64s are written directly; any other value is written by
// encoding/json, and marshalling the record fails when it cannot be. For a
// string that is not a constant, PropertyString avoids boxing it in an any.
func (r *Record) Property(name string, value any) *Record {
	m := r.property(name)
	if m == nil {
		return r
	}
	switch v := value.(type) {
	case string:
		m.vk, m.str = valueString, v
	case bool:
		m.vk, m.n = valueBool, 0
		if v {
			m.n = 1
		}
	case int:
		m.vk, m.n = valueInt, int64(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			m.vk, m.prop = valueJSON, value // encoding/json reports it
			break
		}
		m.vk, m.num = valueFloat, v
	default:
		m.vk, m.prop = valueJSON, value
	}
	return r
}

// PropertyString is Property for a string value. It saves the allocation
// that converting a non-constant string to an any costs.
func (r *Record) PropertyString(name, value string) *Record {
	if m := r.property(name); m != nil {
		m.vk, m.str = valueString, value
	}
	return r
}

// property checks name and returns its property member, for the caller to
// set the value in, or nil when there is a problem.
func (r *Record) property(name string) *member {
	if err := checkName(property, name, 0); err != nil {
		r.problems = append(r.problems, err)
		return nil
	}
	m := r.slot(name, property)
	if m != nil && m.prop != nil {
		m.prop = nil // let go of a replaced value
	}
	return m
}

// slot returns the member called name, adding it as a k if it is new. It
// returns nil, and records the collision, when the name belongs to another
// kind of member.
func (r *Record) slot(name string, k kind) *member {
	if i := r.find(name); i >= 0 {
		m := &r.members[i]
		if m.kind != k {
			r.fail("%s %q collides with the %s of the same name", k, name, m.kind)
			return nil
		}
		return m
	}
	// Members never shrink, so the spare capacity is zeroed memory.
	if n := len(r.members); n < cap(r.members) {
		r.members = r.members[:n+1]
	} else {
		r.members = append(r.members, member{})
	}
	m := &r.members[len(r.members)-1]
	m.name, m.kind = name, k
	switch n := len(r.members); {
	case r.index != nil:
		r.index[name] = n - 1
	case n == indexAt:
		r.index = make(map[string]int, 2*indexAt)
		for i := range r.members {
			r.index[r.members[i].name] = i
		}
	}
	return m
}

// find returns the index of the member called name, or -1.
func (r *Record) find(name string) int {
	if r.index != nil {
		if i, ok := r.index[name]; ok {
			return i
		}
		return -1
	}
	for i := range r.members {
		if r.members[i].name == name {
			return i
		}
	}
	return -1
}

// fail records a problem found while building.
func (r *Record) fail(format string, args ...any) {
	r.problems = append(r.problems, invalidf(format, args...))
}
