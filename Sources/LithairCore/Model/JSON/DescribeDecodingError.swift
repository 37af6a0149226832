/// Turns a `DecodingError` into a message fit for an API user (a 400 response body).
///
/// Examples:
/// - `field 'price': expected a number, found a string`
/// - `missing required field 'name'` (nested: `missing required field 'address.city'`)
/// - `field 'tags[1]': expected a string, found a number`
/// - `field 'size': number 300 does not fit in UInt8`
///
/// Paths join keys with `.` and show array indices as `[n]`. Errors at the top level have
/// no `field '…':` prefix.
public func describeDecodingError(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, let context):
        return "missing required field '\(DecodingErrorText.path(context.codingPath + [key]))'"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        let expected = DecodingErrorText.expectedPhrase(type, context.debugDescription)
        let found = DecodingErrorText.foundPhrase(context.debugDescription)
        return DecodingErrorText.prefix(context.codingPath) + "expected \(expected), found \(found)"
    case .dataCorrupted(let context):
        return DecodingErrorText.prefix(context.codingPath) + context.debugDescription
    @unknown default:
        return "\(error)"
    }
}

/// Pieces of ``describeDecodingError(_:)``.
enum DecodingErrorText {
    /// `'a.b[2].c'` for the given path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    static func prefix(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "" : "field '\(path(codingPath))': "
    }

    /// What the model wanted, from this decoder's `expected <phrase> (` text or the type.
    static func expectedPhrase(_ type: Any.Type, _ debugDescription: String) -> String {
        if debugDescription.hasPrefix("expected "), let open = debugDescription.firstRange(of: " (") {
            return String(
                debugDescription[
                    debugDescription.utf8.index(debugDescription.startIndex, offsetBy: 9)..<open.lowerBound])
        }
        switch type {
        case is String.Type, is Character.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Double.Type, is Float.Type: return "a number"
        case is any FixedWidthInteger.Type: return "an integer"
        default: return "a value of type \(type)"
        }
    }

    /// What the input held, from the `, found <kind>` text this decoder writes.
    static func foundPhrase(_ debugDescription: String) -> String {
        guard let found = debugDescription.firstRange(of: ", found ") else {
            return "no value"
        }
        let rest = debugDescription[found.upperBound...]
        if rest.hasPrefix("null") { return "null" }
        if rest.hasPrefix("boolean") { return "a boolean" }
        if rest.hasPrefix("number") { return "a number" }
        if rest.hasPrefix("string") { return "a string" }
        if rest.hasPrefix("an array") { return "an array" }
        if rest.hasPrefix("an object") { return "an object" }
        return String(rest)
    }
}
