package jsonlog

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/wxindustry/getindustry/internal/redact"
)

// New returns a function's one logger: JSON lines on w with time, level,
// msg and, inside an invoke, requestId. lambdacontext.NewLogHandler
// does the same but writes only to os.Stdout and reads its settings from the
// environment at package init, so tests could not capture or configure it.
// Every string (and error) attribute is masked by pattern (see redact).
func New(w io.Writer, level slog.Level) *slog.Logger { return NewMasking(w, level, nil) }

// NewMasking is New, also masking every secret in secrets (the access
// tokens the process has read), in any letter case, wherever it appears in
// a string or error attribute: a cause, a panic value, an upstream's
// message.
func NewMasking(w io.Writer, level slog.Level, secrets *redact.Secrets) *slog.Logger {
	scrub := func(_ []string, a slog.Attr) slog.Attr { return scrubAttr(a, secrets) }
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: scrub})
	return slog.New(requestIDHandler{h})
}

// Level reads AWS_LAMBDA_LOG_LEVEL as Lambda's LoggingConfig sets it;
// anything else is INFO.
func Level(v string) slog.Level {
	switch strings.ToUpper(v) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// secretKeys are attribute keys that are dropped whatever their value: a
// backstop should a token ever be logged by mistake.
var secretKeys = map[string]bool{"access_token": true, "token": true, "secret": true, "appsecret": true}

// scrubAttr drops secret-named attributes and masks secrets in every
// string attribute and in the text of every error attribute.
func scrubAttr(a slog.Attr, secrets *redact.Secrets) slog.Attr {
	if secretKeys[strings.ToLower(a.Key)] {
		return slog.Attr{}
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); s != "" {
			a.Value = slog.StringValue(secrets.String(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(secrets.String(err.Error()))
		}
	}
	return a
}

// requestIDHandler adds the Lambda request id to every record logged with an
// invoke's context.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
