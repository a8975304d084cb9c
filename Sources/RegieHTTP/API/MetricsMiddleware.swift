/// Counts every routed request by route and final status, with its latency from routing to answer.
struct MetricsMiddleware: APIMiddleware {
    let metrics: APIMetrics

    func handle(_ call: PartnerAPI.Call, next: @escaping PartnerAPI.Next, done: @escaping PartnerAPI.Done) {
        next(call) { answer in
            metrics.record(
                route: call.route.name, status: answer.status, seconds: monotonicSeconds() - call.receivedAt)
            done(answer)
        }
    }
}
