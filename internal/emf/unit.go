package emf

// Unit is a CloudWatch metric unit, as listed in the MetricDatum reference
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
// The empty Unit leaves the unit out of the record; CloudWatch then assumes None.
type Unit string

// Units used by this project. Any other CloudWatch unit may be given as a
// Unit literal, for example Unit("Bytes/Second").
const (
	None           Unit = "None"
	Count          Unit = "Count"
	CountPerSecond Unit = "Count/Second"
	Seconds        Unit = "Seconds"
	Milliseconds   Unit = "Milliseconds"
	Microseconds   Unit = "Microseconds"
	Bytes          Unit = "Bytes"
	Percent        Unit = "Percent"
)

// Valid reports whether u is empty or one of the units CloudWatch accepts.
func (u Unit) Valid() bool {
	switch u {
	case "", None, Count, CountPerSecond, Seconds, Milliseconds, Microseconds, Bytes, Percent,
		"Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
		"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
		"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
		"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second":
		return true
	}
	return false
}
