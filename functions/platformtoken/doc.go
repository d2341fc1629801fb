// Command platformtoken is the AWS Lambda function that keeps a WeChat
// third-party platform's tokens in the DynamoDB table getindustry reads in
// multi-account mode (README, "Third-party platform"). One bootstrap,
// deployed twice:
//
//   - the public function, behind a Function URL: WeChat's pushes to
//     POST /component/events (receiver.go): the component_verify_ticket is
//     stored, an authorization is exchanged (api_query_auth) and the
//     account's item written before the push is answered, a revocation
//     deletes the item; and the onboarding pages (onboarding.go, package
//     onboard): GET /component/authorize (no WeChat call),
//     /component/authorize/go (one api_create_preauthcode, 302 to WeChat's
//     authorization page) and /component/callback, which exchanges its code
//     through Authorize (authorize.go); a code claimed in the table
//     (claim.go) is exchanged once, by whichever of push and callback
//     comes first;
//   - the scheduled function: {"action":"refresh"} or an EventBridge
//     Scheduled Event (refresh.go) refreshes the component token and every
//     account whose token has under 20 minutes left, each under a DynamoDB
//     lease (lease.go); {"action":"sync"} (sync.go) makes an item for every
//     account api_get_authorizer_list shows; {"action":"authorize_url",...}
//     (onboarding.go) answers WeChat's authorization pages for one new
//     pre_auth_code, for a platform whose own web app holds the entry page.
//
// store.go documents the item layout. main only wires the parts together.
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html.
package main
