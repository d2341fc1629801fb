// Package industry keeps the last WeChat getIndustry answer in memory, per
// Lambda execution environment, so warm invocations answer without calling
// WeChat. A [Cache] serves a fresh answer for Options.TTL with no upstream
// call and next to no allocation ([OutcomeHit]); when the answer has expired,
// concurrent callers share one upstream call ([OutcomeMiss]); when that call
// fails with an error the caller deems transient (Options.StaleOK), the last
// answer is served while it is at most Options.StaleTTL old ([OutcomeStale]).
// Errors are never cached. Each [Answer] carries its JSON body, marshalled
// once per fetch, and a strong ETag of that body. With a TTL of 0 nothing is
// kept: every call goes upstream ([OutcomeBypass]) and no stale answer can be
// served. See
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html.
package industry
