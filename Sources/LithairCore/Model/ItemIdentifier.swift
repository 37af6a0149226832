import Foundation
import Synchronization

/// Random identifiers for created items: lowercase RFC 9562 version-4 UUID strings, as
/// `UUID().uuidString.lowercased()` gives, read from `/dev/urandom` in 4 KiB refills.
///
/// Foundation's `UUID()` opens, reads and closes `/dev/urandom` for every identifier: three
/// system calls on each create. Here one `read` serves 256 of them. (`getrandom` itself is
/// not visible from Swift's Glibc module.)
enum ItemIdentifier {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var offset = 4096
        var source: Int32 = -1
    }

    private static let pool = Mutex(Pool())

    /// A new identifier such as `"3f2b8c1e-9d4a-4e7f-b6a0-5c2d1e8f7a9b"`.
    static func random() -> String {
        var raw = pool.withLock { pool -> [UInt8] in
            if pool.offset + 16 > pool.bytes.count {
                refill(&pool)
                pool.offset = 0
            }
            defer { pool.offset += 16 }
            return Array(pool.bytes[pool.offset..<pool.offset + 16])
        }
        raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 9562 variant
        return format(raw)
    }

    /// `raw` (16 bytes) as 8-4-4-4-12 lowercase hexadecimal digits.
    static func format(_ raw: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (position, byte) in raw.enumerated() {
            if position == 4 || position == 6 || position == 8 || position == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Fills the pool from `/dev/urandom`, or from the standard library's generator (one
    /// `getrandom` per 8 bytes) when the device cannot be read, e.g. out of file descriptors:
    /// a create must not fail for want of an id.
    private static func refill(_ pool: inout Pool) {
        if pool.source < 0 { pool.source = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
        let source = pool.source
        var filled = 0
        while source >= 0 && filled < pool.bytes.count {
            let count = pool.bytes.withUnsafeMutableBytes { read(source, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        guard filled < pool.bytes.count else { return }
        var generator = SystemRandomNumberGenerator()
        for position in filled..<pool.bytes.count { pool.bytes[position] = generator.next() }
    }
}
