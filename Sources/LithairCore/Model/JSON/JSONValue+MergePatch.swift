extension JSONValue {
    /// Applies `patch` as an RFC 7386 JSON Merge Patch and returns the result.
    ///
    /// When `patch` is an object, each of its members replaces or inserts the member of the
    /// same name (recursively merging when both sides are objects), and a `null` member
    /// removes it; a target that is not an object is treated as an empty object. Any other
    /// patch (array, string, number, boolean, `null`) replaces the whole value.
    public func mergePatched(with patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = objectValue ?? [:]
        for (key, patchValue) in patchMembers {
            if case .null = patchValue {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).mergePatched(with: patchValue)
            }
        }
        return .object(result)
    }
}
