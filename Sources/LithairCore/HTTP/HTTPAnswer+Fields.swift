import HTTPTypes
import NIOCore

extension HTTPAnswer {
    /// The answer's own fields and those every answer carries: content type and length,
    /// `Date`, `Server`, and `Connection: close` when the connection ends after it.
    func responseFields(keepAlive: Bool) -> HTTPFields {
        // Appended, not set: a set looks for the name among the fields first, and these are
        // never in an answer's own headers except a redirect's content type.
        var fields = headers
        fields.reserveCapacity(fields.count + 5)
        if let body {
            if fields[.contentType] == nil {
                fields.append(HTTPField(name: .contentType, value: JSONResponse.contentType))
            }
            fields.append(HTTPField(name: .contentLength, value: String(body.count)))
        } else if status != .noContent {
            fields.append(HTTPField(name: .contentLength, value: "0"))
        }
        fields.append(HTTPField(name: .date, value: HTTPDate.now()))
        fields.append(HTTPField(name: .server, value: LithairServer.serverName))
        if !keepAlive { fields.append(HTTPField(name: .connection, value: "close")) }
        return fields
    }

    /// The whole HTTP/1.1 response: status line, fields, blank line, body.
    func write(into buffer: inout ByteBuffer, keepAlive: Bool) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for field in responseFields(keepAlive: keepAlive) {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        if let body { buffer.writeBytes(body) }
    }
}
