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

// member is one top-level member of the record besides "_aws".
type member struct {
	name   string
	kind   kind
	str    string    // dimension value
	values []float64 // metric values (one, or an array)
	unit   Unit      // metric unit
	prop   any       // property value
}

// Record is one EMF log line: a namespace, dimension sets, metrics with units,
// and extra properties that CloudWatch keeps in the log event but does not turn
// into metrics (a request id, for example). Build it with New and the chaining
// methods, then write it with WriteTo or MarshalJSON. Problems found while
// building (an empty name, a non-finite value, a name used twice for different
// kinds of member) are kept and reported together by MarshalJSON, so a chain
// of calls needs no error checks. Members are written in the order they were
// first added. A Record is not safe for concurrent use; build one per line.
type Record struct {
	// Time is the metrics' timestamp. The zero Time means the moment the
	// record is marshalled.
	Time time.Time

	namespace string
	members   []member
	byName    map[string]int // index into members
	sets      [][]string     // explicit dimension sets, as declared
	problems  []error        // found while building, reported by MarshalJSON
}

// New returns an empty Record whose metrics go to the CloudWatch namespace.
// The namespace is checked by MarshalJSON: 1 to 255 printable ASCII
// characters, not starting with ':' nor with the reserved prefix "AWS/".
func New(namespace string) *Record {
	return &Record{namespace: namespace, byName: make(map[string]int)}
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
	r.sets = append(r.sets, append([]string{}, names...))
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
	case len(m.values) > 0 && m.unit != unit:
		r.fail("metric %q: unit %q differs from the earlier %q", name, unit, m.unit)
	case len(m.values) == maxValuesPerMetric:
		r.fail("metric %q: more than %d values", name, maxValuesPerMetric)
	default:
		m.unit = unit
		m.values = append(m.values, value)
	}
	return r
}

// Property sets an extra member that CloudWatch keeps in the log event, where
// Logs Insights can query it, without making it a metric or a dimension.
// Setting the same property again replaces its value. The value must marshal
// to JSON; MarshalJSON reports it when it does not.
func (r *Record) Property(name string, value any) *Record {
	if err := checkName(property, name, 0); err != nil {
		r.problems = append(r.problems, err)
		return r
	}
	if m := r.slot(name, property); m != nil {
		m.prop = value
	}
	return r
}

// slot returns the member called name, adding it as a k if it is new. It
// returns nil, and records the collision, when the name belongs to another
// kind of member.
func (r *Record) slot(name string, k kind) *member {
	if i, ok := r.byName[name]; ok {
		m := &r.members[i]
		if m.kind != k {
			r.fail("%s %q collides with the %s of the same name", k, name, m.kind)
			return nil
		}
		return m
	}
	if r.byName == nil {
		r.byName = make(map[string]int)
	}
	r.byName[name] = len(r.members)
	r.members = append(r.members, member{name: name, kind: k})
	return &r.members[len(r.members)-1]
}

// fail records a problem found while building.
func (r *Record) fail(format string, args ...any) {
	r.problems = append(r.problems, invalidf(format, args...))
}
