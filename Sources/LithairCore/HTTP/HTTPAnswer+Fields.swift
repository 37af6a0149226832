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
        forEachStandardField(keepAlive: keepAlive) { name, value in fields.append(HTTPField(name: name, value: value)) }
        return fields
    }

    /// The whole HTTP/1.1 response: status line, fields, blank line, body.
    func write(into buffer: inout ByteBuffer, keepAlive: Bool) {
        switch status {
        case .ok: buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        case .created: buffer.writeStaticString("HTTP/1.1 201 Created\r\n")
        default: buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        }
        func write(_ name: HTTPField.Name, _ value: String) {
            buffer.writeString(name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        for field in headers { write(field.name, field.value) }
        forEachStandardField(keepAlive: keepAlive, write)
        buffer.writeStaticString("\r\n")
        if let body { buffer.writeBytes(body) }
    }

    private func forEachStandardField(keepAlive: Bool, _ add: (HTTPField.Name, String) -> Void) {
        if let body {
            if !headers.contains(where: { $0.name == .contentType }) { add(.contentType, JSONResponse.contentType) }
            add(.contentLength, String(body.count))
        } else if status != .noContent {
            add(.contentLength, "0")
        }
        add(.date, HTTPDate.now())
        add(.server, LithairServer.serverName)
        if !keepAlive { add(.connection, "close") }
    }
}
