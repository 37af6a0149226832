import HTTPTypes

/// The routes answered on the connection's event loop, and the metrics their answers count in:
/// shared by ``PlainRequestFastPath`` and ``EventLoopRoutesHandler``.
struct EventLoopRoutes: Sendable {
    let endpoints: [any EventLoopEndpoint]
    let metrics: ServerMetrics

    /// The endpoint that takes `head`, and the route name metrics record.
    func match(_ head: HTTPRequest) -> (endpoint: any EventLoopEndpoint, route: String)? {
        for endpoint in endpoints {
            if let route = endpoint.route(for: head) { return (endpoint, route) }
        }
        return nil
    }
}
