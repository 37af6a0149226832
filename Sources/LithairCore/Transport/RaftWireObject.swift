/// Typed access to the members of one JSON object of a wire body; every failure names the
/// member by its full path.
struct RaftWireObject {
    /// The object's members.
    let members: [String: JSONValue]
    /// The member holding the object (empty for the body itself), or the array holding it.
    private let container: String
    /// The object's position in `container` when that is an array.
    private let position: Int?

    /// Wraps `members` found at `path` (empty for the body itself).
    init(_ members: [String: JSONValue], path: String) {
        self.members = members
        self.container = path
        self.position = nil
    }

    /// Wraps `members` found at `position` in the array at `array`. The path is only spelled
    /// out on error: building `entries[42]` for every entry would cost more than decoding it.
    init(_ members: [String: JSONValue], in array: String, at position: Int) {
        self.members = members
        self.container = array
        self.position = position
    }

    /// Where the object sits in the body: empty for the body itself, `entries[2]` or `snapshot`
    /// for nested ones.
    var path: String {
        guard let position else { return container }
        return "\(container)[\(position)]"
    }

    /// The full path of the member `key`, for error messages.
    func path(of key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The member `key`, which must be present. A null goes on to the type check, which then
    /// reports "got null" rather than a misleading "missing".
    func required(_ key: String) throws(RaftWireError) -> JSONValue {
        guard let value = members[key] else {
            throw RaftWireError(field: path(of: key), "missing")
        }
        return value
    }

    /// The member `key`, or nil when it is absent or null (how optional fields are left out).
    func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    func uint64(_ key: String) throws(RaftWireError) -> UInt64 {
        try RaftWireValue.uint64(required(key), at: path(of: key))
    }

    func nodeID(_ key: String) throws(RaftWireError) -> UInt64 {
        try RaftWireValue.nodeID(required(key), at: path(of: key))
    }

    func bool(_ key: String) throws(RaftWireError) -> Bool {
        try RaftWireValue.bool(required(key), at: path(of: key))
    }

    func string(_ key: String) throws(RaftWireError) -> String {
        try RaftWireValue.string(required(key), at: path(of: key))
    }

    func bytes(_ key: String) throws(RaftWireError) -> [UInt8] {
        try RaftWireValue.bytes(required(key), at: path(of: key))
    }

    func optionalBytes(_ key: String) throws(RaftWireError) -> [UInt8]? {
        guard let value = optional(key) else { return nil }
        return try RaftWireValue.bytes(value, at: path(of: key))
    }

    func array(_ key: String) throws(RaftWireError) -> [JSONValue] {
        try RaftWireValue.array(required(key), at: path(of: key))
    }

    func object(_ key: String) throws(RaftWireError) -> RaftWireObject {
        try RaftWireValue.object(required(key), at: path(of: key))
    }
}
