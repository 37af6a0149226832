// Numeric equality: `.int(1)` and `.double(1.0)` are the same JSON number. Without it a value
// that went through a `Double` model field (`20` → `20.0`) would no longer equal its source.

extension JSONValue: Equatable {
    /// Structural equality; numbers compare by value across ``int(_:)`` and ``double(_:)``.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return JSONNumber.compare(a, b) == 0
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: Hashable {
    /// Hashes consistently with ``==(_:_:)``: an integral double hashes like the `Int64`
    /// it equals.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let flag):
            hasher.combine(1 as UInt8)
            hasher.combine(flag)
        case .int(let number):
            hasher.combine(2 as UInt8)
            hasher.combine(number)
        case .double(let number):
            if let exact = Int64(exactly: number) {
                hasher.combine(2 as UInt8)
                hasher.combine(exact)
            } else {
                hasher.combine(3 as UInt8)
                hasher.combine(number)
            }
        case .string(let text):
            hasher.combine(4 as UInt8)
            hasher.combine(text)
        case .array(let elements):
            hasher.combine(5 as UInt8)
            hasher.combine(elements)
        case .object(let members):
            hasher.combine(6 as UInt8)
            hasher.combine(members)
        }
    }
}

/// Exact comparison between the two number representations.
enum JSONNumber {
    /// Compares an `Int64` with a finite or infinite `Double` without rounding either:
    /// -1 when `int < double`, 0 when equal, 1 when greater. NaN compares greater.
    static func compare(_ int: Int64, _ double: Double) -> Int {
        if double.isNaN { return -1 }
        // 2^63 is exactly representable; every Int64 is below it and at or above -2^63.
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        // Truncation is in range here, and below 2^52 in magnitude every fraction survives;
        // above it every double is an integer. (No `rounded()`: that would need libm.)
        var whole = Int64(double)
        if Double(whole) > double { whole -= 1 }  // floor for negative fractions
        if int < whole { return -1 }
        if int > whole { return 1 }
        return double > Double(whole) ? -1 : 0
    }

    /// Whether a finite `double` has no fractional part.
    static func isIntegral(_ double: Double) -> Bool {
        double.isFinite && (double == 0 || Int(double.exponent) >= double.significandWidth)
    }
}
