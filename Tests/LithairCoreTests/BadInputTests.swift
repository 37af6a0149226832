import Hummingbird
import HummingbirdTesting
import LithairConsensus
import NIOCore
import Testing

@testable import LithairCore

@Suite("Bad input gets a JSON error and writes nothing")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var contentType: String? = "application/json"
        var status: HTTPResponse.Status
        var messageContains: String
    }

    static let cases: [Case] = [
        Case(
            description: "malformed JSON", method: .post, uri: "/api/products", body: #"{"name": "x", "price": }"#,
            status: .badRequest, messageContains: "malformed JSON"),
        Case(
            description: "not an object", method: .post, uri: "/api/products", body: "[1,2]",
            status: .badRequest, messageContains: "JSON object"),
        Case(
            description: "wrong field type", method: .post, uri: "/api/products",
            body: #"{"name":"x","price":"cheap"}"#, status: .unprocessableContent, messageContains: "price"),
        Case(
            description: "missing required field", method: .post, uri: "/api/products", body: #"{"price":1}"#,
            status: .unprocessableContent, messageContains: "name"),
        Case(
            description: "wrong element type", method: .post, uri: "/api/products",
            body: #"{"name":"x","price":1,"tags":["a",2]}"#, status: .unprocessableContent, messageContains: "tags"),
        Case(
            description: "id of the wrong type", method: .post, uri: "/api/products",
            body: #"{"id":7,"name":"x","price":1}"#, status: .unprocessableContent, messageContains: "id"),
        Case(
            description: "form content type", method: .post, uri: "/api/products", body: "name=x",
            contentType: "application/x-www-form-urlencoded", status: .unsupportedMediaType,
            messageContains: "application/json"),
        Case(
            description: "unknown route", method: .get, uri: "/api/nothing", body: nil, status: .notFound,
            messageContains: "/api/nothing"),
        Case(
            description: "unknown method on a route", method: .delete, uri: "/api/products", body: nil,
            status: .notFound, messageContains: "DELETE"),
        Case(
            description: "put to a missing item", method: .put, uri: "/api/products/missing",
            body: #"{"name":"x","price":1}"#, status: .notFound, messageContains: "missing"),
        Case(
            description: "patch to a missing item", method: .patch, uri: "/api/products/missing",
            body: #"{"name":"x"}"#, status: .notFound, messageContains: "missing"),
        Case(
            description: "put changing the id", method: .put, uri: "/api/products/seed",
            body: #"{"id":"other","name":"x","price":1}"#, status: .unprocessableContent, messageContains: "id"),
        Case(
            description: "patch breaking the model", method: .patch, uri: "/api/products/seed",
            body: #"{"price":"free"}"#, status: .unprocessableContent, messageContains: "price"),
        Case(
            description: "patch removing a required field", method: .patch, uri: "/api/products/seed",
            body: #"{"name":null}"#, status: .unprocessableContent, messageContains: "name"),
        Case(
            description: "unusable If-Match", method: .delete, uri: "/api/products/seed", body: nil,
            status: .preconditionFailed, messageContains: "If-Match"),
        Case(
            description: "deeply nested JSON", method: .post, uri: "/api/products",
            body: String(repeating: "[", count: 10_000), status: .badRequest, messageContains: "malformed JSON"),
        Case(
            description: "invalid UTF-8 escape", method: .post, uri: "/api/products",
            body: #"{"name":"\ud800","price":1}"#, status: .badRequest, messageContains: "malformed JSON"),
    ]

    @Test(arguments: cases)
    func rejected(_ testCase: Case) async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            try await client.send(.post, "/api/products", json: #"{"id":"seed","name":"seed","price":1}"#)
            let before = try await client.send(.get, "/api/products").text
            var headers: HTTPFields = [:]
            if let contentType = testCase.contentType { headers[.contentType] = contentType }
            if testCase.description == "unusable If-Match" { headers[.ifMatch] = "not-a-version" }
            let response = try await client.execute(
                uri: testCase.uri, method: testCase.method, headers: headers,
                body: testCase.body.map { ByteBuffer(string: $0) })
            #expect(response.status == testCase.status)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let message = try response.json["error"]?.stringValue ?? ""
            #expect(message.contains(testCase.messageContains), "\(message)")
            #expect(try response.json["status"] == .int(Int64(testCase.status.code)))
            #expect(try await client.send(.get, "/api/products").text == before)
        }
    }

    @Test("bodies over the limit get 413")
    func oversizedBody() async throws {
        let directory = TemporaryDirectory()
        let server = try await makeServer(directory: directory.path) { $0.maxBodyBytes(1024) }
        try await withClient(server) { client in
            let big = #"{"name":"\#(String(repeating: "x", count: 4096))","price":1}"#
            let response = try await client.send(.post, "/api/products", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(try response.json["error"] != nil)
            #expect(try await client.send(.get, "/api/products/count").json["count"] == .int(0))
        }
    }

    @Test("random garbage bodies never crash the node")
    func garbageBodies() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            var generator = SplitMix64(seed: 42)
            let alphabet = Array(#"{}[]":,0123456789.-+eE truefalsn\u"#.utf8) + [0xFF, 0xC3, 0x00]
            for _ in 0..<300 {
                let length = Int(generator.next() % 64)
                let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
                let response = try await client.execute(
                    uri: "/api/products", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(bytes: bytes))
                #expect([.badRequest, .unprocessableContent].contains(response.status))
            }
            #expect(try await client.send(.get, "/health").status == .ok)
            #expect(try await client.send(.get, "/api/products/count").json["count"] == .int(0))
        }
    }
}
