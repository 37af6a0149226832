/// A readable timeline of `window`: one line per operation in invocation order, with the
/// client, the request, its `[invoked, completed]` interval (`[invoked, ∞)` when the outcome is unknown)
/// and its result. Columns are aligned.
///
/// ```
/// client 1  write("k", "5")  [100, 120]  ok
/// client 2  read("k")        [130, 140]  -> "3"
/// ```
public func render(_ window: [ClientOperation]) -> String {
    let rows = window.sorted { ($0.invokedAt, $0.clientID) < ($1.invokedAt, $1.clientID) }.map { operation in
        [
            "client \(operation.clientID)", operation.requestText,
            "[\(operation.invokedAt), " + (operation.completedAt.map { "\($0)]" } ?? "∞)"), operation.resultText,
        ]
    }
    guard let columnCount = rows.first?.count else { return "" }
    let widths = (0..<columnCount).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { column, cell in
            column == columnCount - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

extension ClientOperation {
    /// The request, e.g. `cas("k", "5" -> "6")`.
    fileprivate var requestText: String {
        switch kind {
        case .read: "read(\(show(key)))"
        case .write(let value): "write(\(show(key)), \(show(value)))"
        case .compareAndSet(let expected, let new): "cas(\(show(key)), \(show(expected)) -> \(show(new)))"
        case .delete: "delete(\(show(key)))"
        }
    }

    /// The outcome, e.g. `-> "3" (version 7)`, `ok`, `cas failed`, `unknown`.
    fileprivate var resultText: String {
        switch outcome {
        case .ok(.value(let value, let version), _):
            "-> \(show(value))" + (version.map { " (version \($0))" } ?? "")
        case .ok(.acknowledged, _), .ok(.casSucceeded, _): "ok"
        case .ok(.casFailed, _): "cas failed"
        case .failed: "failed (no effect)"
        case .unknown: "unknown"
        }
    }

    private func show(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "absent" }
}
