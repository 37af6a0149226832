extension JSONValue {
    /// The total order used by `?sort=field`.
    ///
    /// A missing field (`nil`) sorts first, then `null` < booleans (`false` < `true`) <
    /// numbers (integers and doubles compared exactly by value) < strings (by UTF-8 bytes,
    /// i.e. code point order) < arrays (element by element, shorter first on a tie) <
    /// objects (by sorted keys, then by the values under them). The order depends only on
    /// the values, so sorting is deterministic; equal values return `false` both ways.
    ///
    /// - Returns: `true` when `a` sorts strictly before `b`.
    public static func sortOrder(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        compare(a, b) < 0
    }

    /// Three-way comparison behind ``sortOrder(_:_:)``: negative, zero or positive.
    static func compare(_ a: JSONValue?, _ b: JSONValue?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?): return compare(a, b)
        }
    }

    private static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        let rankA = a.sortRank
        let rankB = b.sortRank
        if rankA != rankB { return rankA < rankB ? -1 : 1 }
        switch (a, b) {
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (x ? 1 : -1)
        case (.int(let x), .int(let y)):
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.double(let x), .double(let y)):
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.int(let x), .double(let y)):
            return JSONNumber.compare(x, y)
        case (.double(let x), .int(let y)):
            return -JSONNumber.compare(y, x)
        case (.string(let x), .string(let y)):
            return compareBytes(x, y)
        case (.array(let x), .array(let y)):
            for (left, right) in zip(x, y) {
                let result = compare(left, right)
                if result != 0 { return result }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        case (.object(let x), .object(let y)):
            return compareObjects(x, y)
        default:
            return 0  // null vs null; other pairs were separated by rank
        }
    }

    private static func compareObjects(_ x: [String: JSONValue], _ y: [String: JSONValue]) -> Int {
        let keysX = x.keys.sorted(by: JSONWriter.keyPrecedes)
        let keysY = y.keys.sorted(by: JSONWriter.keyPrecedes)
        for (keyX, keyY) in zip(keysX, keysY) {
            let byKey = compareBytes(keyX, keyY)
            if byKey != 0 { return byKey }
            let byValue = compare(x[keyX], y[keyY])
            if byValue != 0 { return byValue }
        }
        return keysX.count == keysY.count ? 0 : (keysX.count < keysY.count ? -1 : 1)
    }

    static func compareBytes(_ x: String, _ y: String) -> Int {
        if x == y { return 0 }
        return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
    }

    private var sortRank: Int {
        switch self {
        case .null: return 0
        case .bool: return 1
        case .int, .double: return 2
        case .string: return 3
        case .array: return 4
        case .object: return 5
        }
    }
}
