@testable import LithairCore

/// Models shared by the decoder and encoder tests.
enum JSONColor: String, Codable, Equatable {
    case red, green
}

enum JSONPriority: Int, Codable, Equatable {
    case low = 1, high = 2
}

struct JSONAddress: Codable, Equatable {
    var city: String
    var zip: String?
}

struct JSONCustomer: Codable, Equatable {
    var id: String
    var name: String
    var age: Int
    var score: Double
    var ratio: Float
    var small: UInt8
    var active: Bool
    var tags: [String]
    var nickname: String?
    var color: JSONColor
    var priority: JSONPriority?
    var address: JSONAddress
    var previous: [JSONAddress]
    var matrix: [[Int]]
    var attributes: [String: Int]

    enum CodingKeys: String, CodingKey {
        case id, name, age, score, ratio, small, active, tags, nickname, color, priority, address, previous, matrix
        case attributes = "attrs"
    }
}

struct JSONProduct: Codable, Equatable {
    var id: String
    var name: String
    var price: Double
    var tags: [String]?
    var createdAt: String?
    var updatedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, price, tags
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The "superclass" part of ``JSONDog``, written through `superEncoder()`.
struct JSONAnimal: Codable, Equatable {
    var legs: Int
}

/// Exercises nested keyed/unkeyed containers and super coders by hand.
struct JSONDog: Codable, Equatable {
    var name: String
    var x: Int
    var y: Int
    var animal: JSONAnimal

    init(name: String, legs: Int, point: (Int, Int)) {
        self.name = name
        (x, y) = point
        animal = JSONAnimal(legs: legs)
    }

    enum CodingKeys: String, CodingKey { case name, position, history }
    enum PointKeys: String, CodingKey { case x, y }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        let position = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .position)
        x = try position.decode(Int.self, forKey: .x)
        y = try position.decode(Int.self, forKey: .y)
        var history = try container.nestedUnkeyedContainer(forKey: .history)
        _ = try history.decode(String.self)
        animal = try JSONAnimal(from: container.superDecoder())
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        var position = container.nestedContainer(keyedBy: PointKeys.self, forKey: .position)
        try position.encode(x, forKey: .x)
        try position.encode(y, forKey: .y)
        var history = container.nestedUnkeyedContainer(forKey: .history)
        try history.encode("born")
        try animal.encode(to: container.superEncoder())
    }
}

func testJSON(_ text: String) -> JSONValue {
    (try? JSONParser.parse(text)) ?? .string("<invalid test JSON>")
}
