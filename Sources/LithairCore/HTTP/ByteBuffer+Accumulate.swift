import NIOCore

extension ByteBuffer? {
    /// Appends `chunk` to the bytes held so far; the first chunk is kept as it is (no copy).
    mutating func accumulate(_ chunk: inout ByteBuffer) {
        if self == nil {
            self = chunk
        } else {
            self!.writeBuffer(&chunk)
        }
    }
}
