import LithairCore

/// The example model `lithair serve` exposes at `/api/products`.
struct Product: LithairModel {
    var id: String
    var name: String
    var price: Double
    var tags: [String]?
}
