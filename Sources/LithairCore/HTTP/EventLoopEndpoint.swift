import HTTPTypes
import NIOCore

/// A route answered on the connection's event loop, ahead of the router: see
/// ``EventLoopRoutesHandler``.
protocol EventLoopEndpoint: Sendable {
    /// The route name metrics record, if this endpoint takes `head`; `nil` leaves the
    /// request to the router.
    func route(for head: HTTPRequest) -> String?

    /// The largest request body this endpoint reads; a larger one is answered 413.
    var maxBodyBytes: Int { get }

    /// Answers the request `route(for:)` took, calling `reply` exactly once, from any thread.
    func respond(
        to head: HTTPRequest, route: String, body: ByteBuffer, reply: @escaping @Sendable (HTTPAnswer) -> Void)
}

/// A response for ``EventLoopRoutesHandler`` to write (or for the router, as a `Response`).
struct HTTPAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields = [:]
    /// The JSON body; `nil` for none (e.g. `204`).
    var body: [UInt8]?

    init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: [UInt8]?) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The error's JSON body, status and headers.
    init(_ error: APIError) {
        self.init(status: error.status, headers: error.headers, body: error.body)
    }

    /// What `make` answers, or the error it throws as the answer.
    static func answering(_ make: () throws(APIError) -> HTTPAnswer) -> HTTPAnswer {
        do {
            return try make()
        } catch {
            return HTTPAnswer(error)
        }
    }
}
