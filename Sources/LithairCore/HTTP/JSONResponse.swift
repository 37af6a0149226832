import HTTPTypes
import Hummingbird
import NIOCore

/// Builds JSON responses from bytes the model layer already holds.
enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    static func make(status: HTTPResponse.Status = .ok, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func make(status: HTTPResponse.Status = .ok, value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status: status, bytes: JSONWriter.bytes(value), headers: headers)
    }
}

extension HTTPField.Name {
    /// The log index a write was committed at.
    static let raftIndex = HTTPField.Name("X-Raft-Index")!
    /// The last log index applied on the node that answered a read.
    static let raftAppliedIndex = HTTPField.Name("X-Raft-Applied-Index")!
}
