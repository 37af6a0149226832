import HummingbirdCore
import Logging
import NIOCore

/// A server connection set up as `Base` sets it up, with a ``PlainRequestFastPath`` in front
/// of it (behind TLS, when TLS wraps this).
struct PlainRequestChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let routes: EventLoopRoutes
    let secure: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(PlainRequestFastPath(routes: routes, secure: secure))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
