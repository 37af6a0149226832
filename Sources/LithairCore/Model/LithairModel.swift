/// A user data model that Lithair serves over HTTP and stores as events.
///
/// Declare a `Codable` struct with a `String` `id` and register it with
/// ``LithairServerBuilder/withModel(_:at:)``:
///
/// ```swift
/// struct Product: LithairModel {
///     var id: String
///     var name: String
///     var price: Double
///     var tags: [String]?
/// }
/// ```
///
/// The server assigns `id` (a UUID) when a client omits it, and adds `created_at` and
/// `updated_at` to every stored item. A model may declare those two fields as `String?`
/// to read them back in Swift.
public protocol LithairModel: Codable, Sendable {
    /// The item's identifier, unique within its collection.
    var id: String { get }
}
