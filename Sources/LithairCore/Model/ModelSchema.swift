/// The type-erased view of a registered model: what the store and the HTTP layer need
/// to validate bodies without knowing the Swift type.
public struct ModelSchema: Sendable {
    /// The collection name, derived from the base path (`/api/products` → `products`).
    public let collection: String
    /// The URL path the model is served under, without a trailing slash.
    public let basePath: String
    /// The Swift type's name, shown in `/info`.
    public let typeName: String
    private let normalizeBody: @Sendable (JSONValue) throws -> JSONValue

    /// Registers `Model` under `basePath`.
    public init<Model: LithairModel>(_ model: Model.Type, basePath: String) {
        let trimmed = basePath.hasSuffix("/") && basePath.count > 1 ? String(basePath.dropLast()) : basePath
        self.basePath = trimmed.hasPrefix("/") ? trimmed : "/" + trimmed
        self.collection = String(self.basePath.split(separator: "/").last ?? "items")
        self.typeName = String(describing: model)
        self.normalizeBody = { value in
            let decoded = try JSONValueDecoder().decode(Model.self, from: value)
            return try JSONValueEncoder().encode(decoded)
        }
    }

    /// Decodes `object` into the model type and re-encodes it, so that what is stored is
    /// exactly what the model accepts: wrong types and missing fields are rejected, unknown
    /// fields are dropped. The server-owned fields are carried over untouched.
    ///
    /// - Throws: ``ModelValidationError`` describing the first problem found.
    public func validate(_ object: [String: JSONValue]) throws(ModelValidationError) -> [String: JSONValue] {
        do {
            guard var normalized = try normalizeBody(.object(object)).objectValue else {
                throw ModelValidationError(message: "the model must encode as a JSON object")
            }
            for key in ServerFields.all { normalized[key] = object[key] }
            return normalized
        } catch let error as DecodingError {
            throw ModelValidationError(message: describeDecodingError(error))
        } catch let error as ModelValidationError {
            throw error
        } catch {
            throw ModelValidationError(message: "\(error)")
        }
    }
}

/// The reason a body does not fit its model.
public struct ModelValidationError: Error, Sendable, CustomStringConvertible {
    /// A message fit to show the API user, naming the field at fault.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// Fields the server owns on every stored item.
enum ServerFields {
    static let id = "id"
    static let createdAt = "created_at"
    static let updatedAt = "updated_at"
    static let all = [id, createdAt, updatedAt]
}
