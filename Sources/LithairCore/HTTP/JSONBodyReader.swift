import Hummingbird
import NIOCore

/// Reads and checks a JSON request body before anything is proposed.
enum JSONBodyReader {
    /// Reads the body as a JSON object.
    ///
    /// - Throws: 415 for a non-JSON content type, 413 over `limit` bytes, 400 for malformed
    ///   JSON or a body that is not an object.
    static func jsonObject(
        from request: inout Request, limit: Int, allowMergePatch: Bool = false
    ) async throws -> [String: JSONValue] {
        try checkContentType(request.headers[.contentType], allowMergePatch: allowMergePatch)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.bodyTooLarge(length: length, limit: limit)
        }
        let buffer = try await request.collectBody(upTo: limit)
        return try object(in: buffer.readableBytesView)
    }

    /// 415 unless the content type (if any) is JSON.
    static func checkContentType(_ contentType: String?, allowMergePatch: Bool = false) throws(APIError) {
        // The common spelling needs no parsing (splitting and lowercasing cost a write ~1 µs).
        guard let contentType, contentType != "application/json" else { return }
        let mediaType = contentType.split(separator: ";").first?.trimmingWhitespace().lowercased() ?? ""
        let accepted =
            mediaType == "application/json" || (allowMergePatch && mediaType == "application/merge-patch+json")
        guard accepted else {
            throw APIError(
                .unsupportedMediaType,
                "content type must be application/json\(allowMergePatch ? " or application/merge-patch+json" : "")"
                    + ", got '\(contentType)'")
        }
    }

    /// The body as a JSON object; 400 for malformed JSON or another kind of value.
    static func object(in bytes: some Collection<UInt8>) throws(APIError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw APIError.badRequest("malformed JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw APIError.badRequest("request body must be a JSON object")
        }
        return object
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
