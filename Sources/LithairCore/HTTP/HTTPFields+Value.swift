import HTTPTypes

extension HTTPFields {
    /// The field's value, as `self[name]` gives it, without building a new string for the
    /// usual single field: `self[name]` joins every value of the name into a fresh string,
    /// a measurable cost on each create and Raft message.
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
