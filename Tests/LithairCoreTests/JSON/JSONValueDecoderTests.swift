import Testing

@testable import LithairCore

@Suite struct JSONValueDecoderTests {
    private let decoder = JSONValueDecoder()

    private static let customerJSON = #"""
        {"id":"c1","name":"Ada","age":36,"score":9.5,"ratio":0.25,"small":255,"active":true,
         "tags":["a","b"],"nickname":null,"color":"green","priority":2,
         "address":{"city":"Paris"},"previous":[{"city":"Lyon","zip":"69000"}],
         "matrix":[[1,2],[],[3]],"attrs":{"x":1},"unknown":"ignored"}
        """#

    private func decodingError<T: Decodable>(_ type: T.Type, _ text: String) -> DecodingError? {
        do {
            _ = try decoder.decode(type, from: testJSON(text))
            return nil
        } catch let error as DecodingError {
            return error
        } catch {
            return nil
        }
    }

    private func message<T: Decodable>(_ type: T.Type, _ text: String) -> String? {
        decodingError(type, text).map(describeDecodingError)
    }

    @Test func decodesNestedModel() throws {
        let customer = try decoder.decode(JSONCustomer.self, from: testJSON(Self.customerJSON))
        #expect(
            customer
                == JSONCustomer(
                    id: "c1", name: "Ada", age: 36, score: 9.5, ratio: 0.25, small: 255, active: true,
                    tags: ["a", "b"],
                    nickname: nil, color: .green, priority: .high, address: JSONAddress(city: "Paris", zip: nil),
                    previous: [JSONAddress(city: "Lyon", zip: "69000")], matrix: [[1, 2], [], [3]], attributes: ["x": 1]
                ))
    }

    @Test func missingAndNullOptionalsAreNil() throws {
        let product = try decoder.decode(
            JSONProduct.self, from: testJSON(#"{"id":"1","name":"n","price":2,"tags":null}"#))
        #expect(product == JSONProduct(id: "1", name: "n", price: 2, tags: nil))
    }

    @Test func numberConversions() throws {
        #expect(try decoder.decode(Double.self, from: .int(3)) == 3)
        #expect(try decoder.decode(Float.self, from: .double(0.5)) == 0.5)
        #expect(try decoder.decode(Int.self, from: .double(3)) == 3)
        #expect(try decoder.decode(Int64.self, from: .int(.min)) == .min)
        #expect(try decoder.decode(UInt64.self, from: .double(1e19)) == 10_000_000_000_000_000_000)
        #expect(try decoder.decode(Int8.self, from: .int(-128)) == -128)
        #expect(try decoder.decode([UInt16].self, from: testJSON("[0,65535]")) == [0, 65535])
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: .double(3.5)) }
        #expect(throws: DecodingError.self) { try decoder.decode(UInt8.self, from: .int(256)) }
        #expect(throws: DecodingError.self) { try decoder.decode(UInt.self, from: .int(-1)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: .double(1e300)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: .double(1e300)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: .string("1")) }
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: .int(1)) }
    }

    @Test func topLevelPrimitivesAndCollections() throws {
        #expect(try decoder.decode(String.self, from: .string("s")) == "s")
        #expect(try decoder.decode(Bool.self, from: .bool(true)))
        #expect(try decoder.decode(String?.self, from: .null) == nil)
        #expect(try decoder.decode([String: [Int?]].self, from: testJSON(#"{"a":[1,null]}"#)) == ["a": [1, nil]])
        #expect(try decoder.decode(JSONColor.self, from: .string("red")) == .red)
    }

    @Test func unkeyedContainerReportsItsEnd() throws {
        struct Pair: Decodable {
            var first: Int
            var second: Int
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                #expect(container.count == 1)
                first = try container.decode(Int.self)
                #expect(container.isAtEnd)
                second = try container.decode(Int.self)
            }
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Pair.self, from: testJSON("[1]")) }
    }

    @Test func keyedContainerIntrospection() throws {
        struct Probe: Decodable {
            var keys: [String]
            var hasA: Bool
            var aIsNil: Bool
            enum CodingKeys: String, CodingKey { case a, b }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                keys = container.allKeys.map(\.stringValue).sorted()
                hasA = container.contains(.a)
                aIsNil = try container.decodeNil(forKey: .a)
            }
        }
        let probe = try decoder.decode(Probe.self, from: testJSON(#"{"a":null,"b":1,"c":2}"#))
        #expect(probe.keys == ["a", "b"])
        #expect(probe.hasA && probe.aIsNil)
    }

    @Test func nestedContainersAndSuperDecoder() throws {
        let dog = try decoder.decode(
            JSONDog.self,
            from: testJSON(#"{"name":"Rex","position":{"x":1,"y":2},"history":["born"],"super":{"legs":4}}"#))
        #expect(dog == JSONDog(name: "Rex", legs: 4, point: (1, 2)))
    }

    @Test func typeMismatchCarriesCodingPath() {
        guard
            case .typeMismatch(let type, let context) = decodingError(
                JSONProduct.self, #"{"id":"1","name":"n","price":"abc"}"#)
        else {
            Issue.record("expected typeMismatch")
            return
        }
        #expect(ObjectIdentifier(type) == ObjectIdentifier(Double.self))
        #expect(context.codingPath.map(\.stringValue) == ["price"])
        #expect(context.debugDescription == #"expected a number (Double), found string "abc""#)
    }

    @Test func messagesForApiUsers() {
        #expect(
            message(JSONProduct.self, #"{"id":"1","name":"n","price":"abc"}"#)
                == "field 'price': expected a number, found a string")
        #expect(message(JSONProduct.self, #"{"id":"1","price":1}"#) == "missing required field 'name'")
        #expect(
            message(JSONProduct.self, #"{"id":"1","name":"n","price":1,"tags":["a",2]}"#)
                == "field 'tags[1]': expected a string, found a number")
        #expect(
            message(JSONProduct.self, #"{"id":"1","name":null,"price":1}"#)
                == "field 'name': expected a string, found null"
        )
        #expect(message(JSONProduct.self, "[]") == "expected an object, found an array")
        #expect(
            message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("\"city\":\"Lyon\",", ""))
                == "missing required field 'previous[0].city'")
        #expect(
            message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("\"small\":255", "\"small\":256"))
                == "field 'small': number 256 does not fit in UInt8")
        #expect(
            message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("\"age\":36", "\"age\":36.5"))
                == "field 'age': expected an integer, found 36.5")
        #expect(
            message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("\"active\":true", "\"active\":\"yes\""))
                == "field 'active': expected a boolean, found a string")
        #expect(
            message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("[[1,2],[],[3]]", "[[1,2],[\"x\"]]"))
                == "field 'matrix[1][0]': expected an integer, found a string")
        #expect(
            message(
                JSONCustomer.self,
                Self.customerJSON.replacingOccurrences("\"address\":{\"city\":\"Paris\"}", "\"address\":\"Paris\""))
                == "field 'address': expected an object, found a string")
        #expect(
            message(JSONProduct.self, #"{"id":"1","name":"n","price":1,"tags":"x"}"#)
                == "field 'tags': expected an array, found a string")
        #expect(message([Int].self, "[1,true]") == "field '[1]': expected an integer, found a boolean")
        #expect(message(Float.self, "1e300") == "number 1e+300 does not fit in Float")
        let badEnum = message(JSONCustomer.self, Self.customerJSON.replacingOccurrences("\"green\"", "\"purple\""))
        #expect(badEnum?.hasPrefix("field 'color': ") == true)
        #expect(badEnum?.contains("purple") == true)
    }
}

extension String {
    /// Plain substring replacement without Foundation.
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
