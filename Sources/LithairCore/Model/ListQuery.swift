/// A parsed `GET {base}` query: paging, sorting and exact-match filters.
struct ListQuery: Sendable, Equatable {
    static let defaultTake = 100
    static let maxTake = 1000
    /// Query parameters that steer the request rather than filter items.
    static let reservedParameters: Set<String> = ["skip", "take", "sort", "consistency", "redirect"]

    var skip = 0
    var take = defaultTake
    /// The field to sort by, and whether descending (`?sort=-price`).
    var sort: (field: String, descending: Bool)?
    var filters: [(field: String, value: String)] = []

    init() {}

    /// Parses query parameters, rejecting values a client could not have meant.
    init(parameters: [(String, String)]) throws(QueryError) {
        for (name, value) in parameters {
            switch name {
            case "skip":
                guard let skip = Int(value), skip >= 0 else {
                    throw QueryError(message: "skip must be a non-negative integer, got '\(value)'")
                }
                self.skip = skip
            case "take":
                guard let take = Int(value), (0...Self.maxTake).contains(take) else {
                    throw QueryError(message: "take must be an integer from 0 to \(Self.maxTake), got '\(value)'")
                }
                self.take = take
            case "sort":
                let descending = value.hasPrefix("-")
                let field = descending ? String(value.dropFirst()) : value
                guard !field.isEmpty else { throw QueryError(message: "sort needs a field name, e.g. sort=-price") }
                sort = (field, descending)
            case _ where Self.reservedParameters.contains(name):
                continue
            default:
                filters.append((name, value))
            }
        }
    }

    static func == (lhs: ListQuery, rhs: ListQuery) -> Bool {
        lhs.skip == rhs.skip && lhs.take == rhs.take && lhs.sort?.field == rhs.sort?.field
            && lhs.sort?.descending == rhs.sort?.descending
            && lhs.filters.map(\.field) == rhs.filters.map(\.field)
            && lhs.filters.map(\.value) == rhs.filters.map(\.value)
    }
}

/// A query parameter with a value the server cannot use.
struct QueryError: Error, Sendable {
    let message: String
}

/// One page of a list request.
struct ListPage: Sendable {
    var items: [[UInt8]]
    var total: Int
    var skip: Int
    var take: Int
    var hasMore: Bool { skip + items.count < total }

    /// `{"data":[...],"has_more":…,"skip":…,"take":…,"total":…}`, built from each item's cached bytes.
    var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(64) { $0 + $1.count + 1 })
        out.append(contentsOf: #"{"data":["#.utf8)
        for (position, item) in items.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: #"],"has_more":\#(hasMore),"skip":\#(skip),"take":\#(take),"total":\#(total)}"#.utf8)
        return out
    }
}

extension ModelCollection {
    func list(_ query: ListQuery) -> ListPage {
        let matching = itemsInOrder.lazy.filter { _, item in
            query.filters.allSatisfy { filter in item.value[filter.field]?.queryString == filter.value }
        }
        guard let sort = query.sort else {
            if query.filters.isEmpty {
                let page = itemsInOrder.dropFirst(query.skip).prefix(query.take).map(\.item.bytes)
                return ListPage(items: Array(page), total: count, skip: query.skip, take: query.take)
            }
            var total = 0
            var page: [[UInt8]] = []
            for (_, item) in matching {
                if total >= query.skip && page.count < query.take { page.append(item.bytes) }
                total += 1
            }
            return ListPage(items: page, total: total, skip: query.skip, take: query.take)
        }
        // Ties keep creation order, so paging through a sorted list is stable.
        let sorted = Array(matching).enumerated().sorted { lhs, rhs in
            let left = lhs.element.item.value[sort.field]
            let right = rhs.element.item.value[sort.field]
            if JSONValue.sortOrder(left, right) { return !sort.descending }
            if JSONValue.sortOrder(right, left) { return sort.descending }
            return lhs.offset < rhs.offset
        }
        let page = sorted.dropFirst(query.skip).prefix(query.take).map(\.element.item.bytes)
        return ListPage(items: Array(page), total: sorted.count, skip: query.skip, take: query.take)
    }
}
