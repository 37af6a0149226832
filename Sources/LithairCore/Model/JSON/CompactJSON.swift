/// Reads JSON text in the compact ASCII form ``JSONWriter`` gives models' bodies, without
/// building a value: the members of a top-level object, each as a byte range.
///
/// It accepts a subset of what ``JSONParser`` accepts, so that any text it passes parses: no
/// whitespace, only printable ASCII in strings, escapes limited to the two-character ones and
/// `\u00XX` (never a surrogate), numbers without an exponent and with at most 18 digits (so
/// always in range), nesting no deeper than 32, and top-level keys without escapes in strictly
/// increasing byte order (so none repeats). Anything else answers `nil`, and the caller parses.
enum CompactJSON {
    /// One top-level member: its key's bytes (inside the quotes) and its whole `"key":value`
    /// text.
    struct Member {
        let key: Range<Int>
        let text: Range<Int>
    }

    static func members(of bytes: [UInt8]) -> [Member]? {
        bytes.withUnsafeBytes { buffer in
            var scanner = Scanner(cursor: ByteCursor(buffer))
            return scanner.topLevelMembers()
        }
    }

    private struct Scanner {
        static let maxDepth = 32
        var cursor: ByteCursor
        var bytes: UnsafeRawBufferPointer { cursor.bytes }
        var position: Int {
            get { cursor.position }
            set { cursor.position = newValue }
        }

        mutating func topLevelMembers() -> [Member]? {
            guard skip("{") else { return nil }
            var members: [Member] = []
            if !skip("}") {
                repeat {
                    let start = position
                    guard let key = plainKey(), skip(":"), value(depth: 1) else { return nil }
                    if let previous = members.last, !precedes(previous.key, key) { return nil }
                    members.append(Member(key: key, text: start..<position))
                } while skip(",")
                guard skip("}") else { return nil }
            }
            return cursor.atEnd ? members : nil
        }

        private mutating func skip(_ text: StaticString) -> Bool { cursor.skip(text) }

        /// A string of printable ASCII without escapes; the range of its characters.
        private mutating func plainKey() -> Range<Int>? {
            guard skip("\"") else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { return start..<(position - 1) }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            }
            return nil
        }

        private mutating func string() -> Bool {
            guard skip("\"") else { return false }
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard escape() else { return false }
                case 0x20..<0x7F:
                    continue
                default:
                    return false
                }
            }
            return false
        }

        /// The rest of an escape, after its backslash.
        private mutating func escape() -> Bool {
            guard position < bytes.count else { return false }
            let code = bytes[position]
            position += 1
            if "\"\\/bfnrt".utf8.contains(code) { return true }
            guard code == UInt8(ascii: "u"), position + 4 <= bytes.count,
                bytes[position] == UInt8(ascii: "0"), bytes[position + 1] == UInt8(ascii: "0"),
                bytes[position + 2].isHexDigit, bytes[position + 3].isHexDigit
            else { return false }
            position += 4
            return true
        }

        private mutating func value(depth: Int) -> Bool {
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                return string()
            case UInt8(ascii: "{"):
                guard depth < Self.maxDepth else { return false }
                position += 1
                if skip("}") { return true }
                repeat {
                    guard string(), skip(":"), value(depth: depth + 1) else { return false }
                } while skip(",")
                return skip("}")
            case UInt8(ascii: "["):
                guard depth < Self.maxDepth else { return false }
                position += 1
                if skip("]") { return true }
                repeat {
                    guard value(depth: depth + 1) else { return false }
                } while skip(",")
                return skip("]")
            case UInt8(ascii: "t"): return skip("true")
            case UInt8(ascii: "f"): return skip("false")
            case UInt8(ascii: "n"): return skip("null")
            default: return number()
            }
        }

        /// `-`? then `0` or a digit run not starting with 0, then an optional fraction; what
        /// follows must be a separator, which the caller checks (so an exponent fails).
        private mutating func number() -> Bool {
            _ = skip("-")
            guard position < bytes.count, bytes[position].isDigit else { return false }
            var digits = 0
            if skip("0") {
                digits = 1
            } else {
                digits += digitRun()
            }
            if skip(".") {
                let fraction = digitRun()
                guard fraction > 0 else { return false }
                digits += fraction
            }
            return digits <= 18
        }

        private mutating func digitRun() -> Int {
            let start = position
            while position < bytes.count, bytes[position].isDigit { position += 1 }
            return position - start
        }

        private func precedes(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
            for (a, b) in zip(left, right) where bytes[a] != bytes[b] { return bytes[a] < bytes[b] }
            return left.count < right.count
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
