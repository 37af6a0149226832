import CLithairCRC32C

/// CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), the checksum used by every record
/// and file in the storage layer.
///
/// The CPU's CRC-32C instruction where it has one (SSE 4.2, ARM64's CRC extension), else
/// software slicing-by-8: eight bytes per step through eight 256-entry tables, several times
/// faster than the byte-at-a-time loop.
/// `checksum("123456789".utf8) == 0xE306_9283`.
///
/// Checksums chain: `checksum(b, seed: checksum(a)) == checksum(a + b)`.
public enum CRC32C {
    /// The eight lookup tables, flattened: table `k` is at `k * 256 ..< (k + 1) * 256`.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    static let hardwareAvailable = lithair_crc32c_hardware_available() != 0

    /// The CRC-32C of the bytes in `buffer`, continuing from `seed` (the checksum of the bytes before them; 0 to start).
    public static func checksum(_ buffer: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard hardwareAvailable, let base = buffer.baseAddress else { return softwareChecksum(buffer, seed: seed) }
        return ~lithair_crc32c_hardware(~seed, base, buffer.count)
    }

    /// ``checksum(_:seed:)`` with the tables, whatever the CPU has.
    static func softwareChecksum(_ buffer: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        guard var p = buffer.baseAddress, !buffer.isEmpty else { return seed }
        var n = buffer.count
        tables.withUnsafeBufferPointer { t in
            while n >= 8 {
                let lo = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))
                crc =
                    t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                n -= 1
            }
        }
        return ~crc
    }

    /// The CRC-32C of `bytes`, continuing from `seed` (the checksum of the bytes before them; 0 to start).
    public static func checksum(_ bytes: some Collection<UInt8>, seed: UInt32 = 0) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), seed: seed) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// The CRC-32C of `a + b` from the checksums of `a` and `b` and the length of `b`, without
    /// reading either: what a writer needs when it learns the bytes in front (a header holding
    /// the data's length) only after streaming the data behind them.
    ///
    /// A CRC is linear over GF(2): appending `b` to `a` is the same as appending `count` zero
    /// bytes to `a`'s register and adding `b`'s own checksum. The zeros are applied with
    /// 32×32 bit matrices (one zero bit, squared into 2, 4, 8, … zero bits), so the cost is
    /// logarithmic in `count`.
    public static func combine(_ first: UInt32, _ second: UInt32, lengthOfSecond count: Int) -> UInt32 {
        guard count > 0 else { return first }
        // The register transform for one zero bit: shift right, feeding the polynomial back.
        var oneBit = [UInt32](repeating: 0, count: 32)
        oneBit[0] = 0x82F6_3B78
        for bit in 1..<32 { oneBit[bit] = 1 << (bit - 1) }
        var zeros = square(square(square(oneBit)))  // eight zero bits: one zero byte
        var crc = first
        var remaining = count
        while remaining > 0 {
            if remaining & 1 != 0 { crc = multiply(zeros, crc) }
            remaining >>= 1
            if remaining > 0 { zeros = square(zeros) }
        }
        return crc ^ second
    }

    /// `matrix` (32 columns, one per input bit) applied to `vector`.
    private static func multiply(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
        var result: UInt32 = 0
        var bits = vector
        var column = 0
        while bits != 0 {
            if bits & 1 != 0 { result ^= matrix[column] }
            bits >>= 1
            column += 1
        }
        return result
    }

    /// `matrix` applied twice.
    private static func square(_ matrix: [UInt32]) -> [UInt32] {
        matrix.map { multiply(matrix, $0) }
    }
}
