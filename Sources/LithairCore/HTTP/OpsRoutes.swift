import Hummingbird

/// `/health`, `/ready`, `/info` and `/metrics`.
struct OpsRoutes<Context: RequestContext>: Sendable {
    let node: any ServingNode
    let info: @Sendable () -> JSONValue
    let metrics: ServerMetrics

    func register(on router: Router<Context>) {
        router.get("/health") { _, _ in JSONResponse.make(value: .object(["status": .string("ok")])) }
        router.get("/ready") { _, _ in
            node.isReady
                ? JSONResponse.make(value: .object(["status": .string("ready")]))
                : JSONResponse.make(
                    status: .serviceUnavailable, value: .object(["status": .string("replaying")]),
                    headers: [.retryAfter: "1"])
        }
        router.get("/info") { _, _ in JSONResponse.make(value: info()) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }
}
