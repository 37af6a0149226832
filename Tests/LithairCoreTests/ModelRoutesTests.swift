import Hummingbird
import HummingbirdTesting
import Testing

@testable import LithairCore

@Suite("Model routes")
struct ModelRoutesTests {
    @Test("create, read, list, count, replace, patch, delete and history")
    func crudLifecycle() async throws {
        let directory = TemporaryDirectory()
        let server = try await makeServer(directory: directory.path)
        try await withClient(server) { client in
            let created = try await client.send(.post, "/api/products", json: #"{"name":"lamp","price":12.5}"#)
            #expect(created.status == .created)
            let item = try created.json
            let id = try #require(item["id"]?.stringValue)
            #expect(item["name"] == .string("lamp"))
            #expect(item["created_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(item["updated_at"] == item["created_at"])
            #expect(created.headers[.location] == "/api/products/\(id)")
            let createdTag = try #require(created.headers[.eTag])

            let fetched = try await client.send(.get, "/api/products/\(id)")
            #expect(fetched.status == .ok)
            #expect(try fetched.json == item)
            #expect(fetched.headers[.eTag] == createdTag)

            let replaced = try await client.send(
                .put, "/api/products/\(id)", json: #"{"name":"desk lamp","price":20,"tags":["home"]}"#)
            #expect(replaced.status == .ok)
            #expect(try replaced.json["price"] == .double(20) || replaced.json["price"] == .int(20))
            #expect(try replaced.json["created_at"] == item["created_at"])
            #expect(replaced.headers[.eTag] != createdTag)

            let patched = try await client.send(
                .patch, "/api/products/\(id)", json: #"{"tags":null,"price":18.25}"#,
                headers: [.contentType: "application/merge-patch+json"])
            #expect(patched.status == .ok)
            #expect(try patched.json["tags"] == nil)
            #expect(try patched.json["name"] == .string("desk lamp"))
            #expect(try patched.json["price"] == .double(18.25))

            let count = try await client.send(.get, "/api/products/count")
            #expect(try count.json == .object(["count": .int(1)]))

            let history = try await client.send(.get, "/api/products/\(id)/history")
            let events = try #require(
                try history.json["events"].flatMap { value -> [JSONValue]? in
                    if case .array(let events) = value { return events } else { return nil }
                })
            #expect(events.map { $0["event"] } == [.string("created"), .string("updated"), .string("updated")])

            let deleted = try await client.send(.delete, "/api/products/\(id)")
            #expect(deleted.status == .noContent)
            let gone = try await client.send(.get, "/api/products/\(id)")
            #expect(gone.status == .notFound)
            #expect(try gone.json["error"]?.stringValue?.contains(id) == true)
            #expect(try await client.send(.delete, "/api/products/\(id)").status == .notFound)
            let afterDelete = try await client.send(.get, "/api/products/\(id)/history")
            #expect(try afterDelete.json["events"].map { if case .array(let a) = $0 { a.count } else { 0 } } == 4)
        }
    }

    @Test("client-chosen ids, duplicates answered 409")
    func clientIDs() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            let created = try await client.send(.post, "/api/products", json: #"{"id":"p-1","name":"a","price":1}"#)
            #expect(created.status == .created)
            #expect(try created.json["id"] == .string("p-1"))
            let duplicate = try await client.send(.post, "/api/products", json: #"{"id":"p-1","name":"b","price":2}"#)
            #expect(duplicate.status == .conflict)
            #expect(try await client.send(.get, "/api/products/p-1").json["name"] == .string("a"))
        }
    }

    @Test("If-Match makes writes conditional")
    func compareAndSet() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            let created = try await client.send(.post, "/api/products", json: #"{"id":"k","name":"a","price":1}"#)
            let tag = try #require(created.headers[.eTag])
            let stale = try await client.send(
                .put, "/api/products/k", json: #"{"name":"b","price":2}"#, headers: [.ifMatch: "\"999\""])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.headers[.eTag] == tag)
            #expect(try stale.json["current_version"] != nil)
            let fresh = try await client.send(
                .put, "/api/products/k", json: #"{"name":"b","price":2}"#, headers: [.ifMatch: tag])
            #expect(fresh.status == .ok)
            // The old tag no longer matches: a second writer holding it loses.
            let loser = try await client.send(
                .patch, "/api/products/k", json: #"{"name":"c"}"#, headers: [.ifMatch: tag])
            #expect(loser.status == .preconditionFailed)
            #expect(
                try await client.send(.delete, "/api/products/k", headers: [.ifMatch: tag]).status
                    == .preconditionFailed)
            let newTag = try #require(fresh.headers[.eTag])
            #expect(try await client.send(.delete, "/api/products/k", headers: [.ifMatch: newTag]).status == .noContent)
            #expect(try await client.send(.get, "/api/products/k").status == .notFound)
        }
    }

    @Test("paging, sorting and filters")
    func listQueries() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            for (index, price) in [5.0, 1.0, 3.0, 4.0, 2.0].enumerated() {
                let tag = index % 2 == 0 ? "even" : "odd"
                try await client.send(
                    .post, "/api/products", json: #"{"id":"p\#(index)","name":"\#(tag)","price":\#(price)}"#)
            }
            let page = try await client.send(.get, "/api/products?skip=1&take=2").json
            #expect(page["total"] == .int(5))
            #expect(page["skip"] == .int(1))
            #expect(page["take"] == .int(2))
            #expect(page["has_more"] == .bool(true))
            #expect(ids(page) == ["p1", "p2"])
            #expect(
                ids(try await client.send(.get, "/api/products?sort=price").json) == ["p1", "p4", "p2", "p3", "p0"])
            #expect(
                ids(try await client.send(.get, "/api/products?sort=-price").json) == ["p0", "p3", "p2", "p4", "p1"])
            let evens = try await client.send(.get, "/api/products?name=even&sort=-price").json
            #expect(ids(evens) == ["p0", "p2", "p4"])
            #expect(evens["total"] == .int(3))
            #expect(evens["has_more"] == .bool(false))
            #expect(ids(try await client.send(.get, "/api/products?price=3").json) == ["p2"])
            #expect(ids(try await client.send(.get, "/api/products?name=none").json) == [])
            for bad in ["take=1001", "take=-1", "skip=-3", "skip=abc", "sort=-"] {
                let response = try await client.send(.get, "/api/products?\(bad)")
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try response.json["error"] != nil)
            }
        }
    }

    private func ids(_ page: JSONValue) -> [String] {
        guard case .array(let items)? = page["data"] else { return [] }
        return items.compactMap { $0["id"]?.stringValue }
    }
}
