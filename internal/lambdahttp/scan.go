package lambdahttp

// maxDepth is encoding/json's nesting limit: text with more arrays and objects open at once
// is not valid JSON to it.
const maxDepth = 10000

// span is where a JSON value lies in a payload, as payload[start:end]. The zero span marks
// a member that was absent.
type span struct{ start, end int }

// scanner walks JSON text and accepts exactly what encoding/json accepts: RFC 8259 with
// strings that may hold invalid UTF-8 and at most maxDepth levels of nesting. It reads
// without allocating. After the first syntax error it sets bad, and from then on every
// method does nothing and reports nothing more to read.
//
// An object is read member by member:
//
//	for more := s.enterObject(); more; more = s.nextMember() {
//		key := s.key()
//		val := s.value() // or walk into the value with enterObject
//	}
type scanner struct {
	data  []byte
	pos   int
	depth int
	bad   bool
}

// fail records a syntax error.
func (s *scanner) fail() {
	s.bad = true
	s.pos = len(s.data)
}

// skipSpace moves past JSON whitespace and returns the next byte, or 0 at the end.
func (s *scanner) skipSpace() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// end checks that only whitespace follows the value just read.
func (s *scanner) end() {
	if s.skipSpace(); s.pos != len(s.data) {
		s.fail()
	}
}

// value reads one value of any type and returns its span.
func (s *scanner) value() span {
	c := s.skipSpace()
	start := s.pos
	switch {
	case s.bad:
		return span{}
	case c == '{':
		for more := s.enterObject(); more; more = s.nextMember() {
			s.key()
			s.value()
		}
	case c == '[':
		for more := s.enter('[', ']'); more; more = s.next(']') {
			s.value()
		}
	case c == '"':
		s.str()
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		s.number()
	default:
		s.fail()
	}
	if s.bad {
		return span{}
	}
	return span{start, s.pos}
}

// enterObject moves into the object that must come next and reports whether it has a
// member to read.
func (s *scanner) enterObject() bool { return s.enter('{', '}') }

// nextMember moves past the member just read and reports whether another follows; at the
// object's end it moves past the closing brace.
func (s *scanner) nextMember() bool { return s.next('}') }

// key reads a member's name and the colon after it, and returns the name's span (quotes
// included).
func (s *scanner) key() span {
	if s.skipSpace() != '"' {
		s.fail()
		return span{}
	}
	start := s.pos
	s.str()
	if s.skipSpace() != ':' {
		s.fail()
		return span{}
	}
	s.pos++
	return span{start, s.pos - 1}
}

// enter moves past the opening bracket of an array or object and reports whether the
// value has a first element or member.
func (s *scanner) enter(open, close byte) bool {
	if s.skipSpace() != open || s.bad {
		s.fail()
		return false
	}
	s.pos++
	if s.depth++; s.depth > maxDepth {
		s.fail()
		return false
	}
	if s.skipSpace() == close {
		s.pos++
		s.depth--
		return false
	}
	return true
}

// next moves past a comma and reports true, or past the closing bracket and reports false.
func (s *scanner) next(close byte) bool {
	switch s.skipSpace() {
	case ',':
		s.pos++
		return true
	case close:
		s.pos++
		s.depth--
		return false
	}
	s.fail()
	return false
}

// str reads a string. Control characters must be escaped, and only JSON's escapes are
// allowed.
func (s *scanner) str() {
	d := s.data
	for i := s.pos + 1; i < len(d); {
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return
		case c < 0x20:
			s.fail()
			return
		case c == '\\':
			n := escapeLen(d[i+1:])
			if n == 0 {
				s.fail()
				return
			}
			i += 1 + n
		default:
			i++
		}
	}
	s.fail() // unterminated
}

// escapeLen returns the length of the escape that b starts with, just after a backslash,
// or 0 if it is not one of JSON's escapes.
func escapeLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(b) >= 5 && isHex(b[1]) && isHex(b[2]) && isHex(b[3]) && isHex(b[4]) {
			return 5
		}
	}
	return 0
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literal reads the literal word w (true, false or null).
func (s *scanner) literal(w string) {
	if len(s.data)-s.pos < len(w) || string(s.data[s.pos:s.pos+len(w)]) != w {
		s.fail()
		return
	}
	s.pos += len(w)
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() {
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		s.fail()
		return
	}
	if s.peek() == '.' {
		s.pos++
		s.digits()
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		s.digits()
	}
}

// digits reads one or more decimal digits.
func (s *scanner) digits() {
	start := s.pos
	for c := s.peek(); '0' <= c && c <= '9'; c = s.peek() {
		s.pos++
	}
	if s.pos == start {
		s.fail()
	}
}

// peek returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}
