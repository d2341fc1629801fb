// Command platformtoken is the AWS Lambda function that keeps a WeChat
// third-party platform's tokens in the DynamoDB table getindustry reads in
// multi-account mode (DESIGN.md, "Platform token service"). One bootstrap,
// deployed twice:
//
//   - the public function, behind a Function URL: WeChat's pushes to
//     POST /component/events (receiver.go): the component_verify_ticket is
//     stored, an authorization is exchanged (api_query_auth) and the
//     account's item written before the push is answered, a revocation
//     deletes the item; the onboarding callback exchanges its code through
//     Authorize (authorize.go), and a code claimed in the table (claim.go)
//     is exchanged once, by whichever of the two comes first;
//   - the scheduled function: {"action":"refresh"} or an EventBridge
//     Scheduled Event (refresh.go) refreshes the component token and every
//     account whose token has under 20 minutes left, each under a DynamoDB
//     lease (lease.go); {"action":"sync"} (sync.go) makes an item for every
//     account api_get_authorizer_list shows.
//
// store.go documents the item layout. main only wires the parts together.
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html.
package main
