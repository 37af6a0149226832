import HTTPTypes
import Hummingbird

/// An error answered to the client as a JSON body: `{"error": "...", "status": N, ...}`.
///
/// Every failure a request can meet ends as one of these, so clients always get JSON and
/// the right status, never an empty body or a dropped connection.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status answered.
    public let status: HTTPResponse.Status
    /// The `error` member of the body: what went wrong, for the API user.
    public let message: String
    /// Extra members merged into the JSON body (e.g. `current_version`).
    public let details: [String: JSONValue]
    /// Extra response headers (e.g. `Retry-After`).
    public let headers: HTTPFields

    /// An error answered with `status` and `message`, plus extra body members and headers.
    public init(
        _ status: HTTPResponse.Status, _ message: String, details: [String: JSONValue] = [:], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers
    }

    /// The JSON response: `{"error": message, "status": code, ...details}`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, bytes: body)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// The JSON body: `{"error": message, "status": code, ...details}`.
    var body: [UInt8] {
        var members = details
        members["error"] = .string(message)
        members["status"] = .int(Int64(status.code))
        return JSONWriter.bytes(.object(members))
    }
}

extension APIError {
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, message) }
    /// 413 for a body over `limit` bytes; `length` is its `Content-Length`, when it has one.
    static func bodyTooLarge(length: Int? = nil, limit: Int? = nil) -> APIError {
        guard let length, let limit else { return APIError(.contentTooLarge, "request body is larger than the limit") }
        return APIError(.contentTooLarge, "request body of \(length) bytes is over the \(limit)-byte limit")
    }
    static func unavailable(_ message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(.serviceUnavailable, message, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    init(_ error: NodeError) {
        switch error {
        case .notReady, .shuttingDown:
            self = .unavailable(error.description)
        case .storageFull:
            self = APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), error.description)
        case .storageFailure:
            self = .unavailable(error.description, retryAfterSeconds: 5)
        case .timedOut, .proposalDropped:
            self = .unavailable(error.description)
        case .notLeader(let leader):
            self = APIError(
                .serviceUnavailable, error.description, details: ["leader": leader.map(JSONValue.string) ?? .null],
                headers: [.retryAfter: "1"])
        }
    }
}
