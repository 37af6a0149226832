import Hummingbird
import Logging
import NIOCore

/// Turns every error a handler throws into a JSON response and records request metrics.
///
/// It sits outermost, so it also sees the router's own 404 for unknown routes.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try jsonResponse(for: error, request: request, context: context)
        }
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }

    private func jsonResponse(for error: any Error, request: Request, context: Context) throws -> Response {
        let apiError: APIError
        switch error {
        case let error as APIError:
            apiError = error
        case let error as NodeError:
            apiError = APIError(error)
        case is NIOTooManyBytesError:
            apiError = .bodyTooLarge()
        case let error as HTTPError where error.status == .notFound:
            apiError = .notFound("no route for \(request.method.rawValue) \(request.uri.path)")
        case let error as HTTPError:
            apiError = APIError(error.status, error.body ?? error.status.reasonPhrase)
        default:
            logger.error(
                "unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            apiError = APIError(.internalServerError, "internal error")
        }
        return try apiError.response(from: request, context: context)
    }
}
