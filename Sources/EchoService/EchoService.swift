import ChatPanelProto
public import ChatPanelRPC

/// A service that answers `chatpanel.testing.v1.Echo`: the runtime's own tests, the RPC
/// benchmark, and a way to see a socket work (`chatpaneld echo`).
///
/// `Echo` returns the body and text it got with the caller's manager id; it waits `delay_ms`
/// first (cancellably) and answers with status `fail_code` when that is set. `Stream` sends
/// `count` messages, each after `delay_ms`. `EchoNow` is `Echo` answered inside the read of its
/// request, as a synchronous handler (no delay).
public enum EchoService {
    /// A router with both methods.
    public static func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, context in
            if request.delayMs > 0 { try await Task.sleep(for: .milliseconds(Int64(request.delayMs))) }
            if request.failCode != 0 {
                throw RPCError(code: RPCError.Code(rawValue: Int32(clamping: request.failCode)), message: "failure requested")
            }
            return echoed(request, context)
        }
        // Answered inside the read of its request (the shape of the services' panel reads).
        router.register(TestingV1.Echo.echoNow, synchronous: { request, context in
            var violations = FieldViolations()
            violations.check(request.delayMs == 0, field: "delay_ms", "must be 0: EchoNow answers at once")
            try violations.throwIfAny()
            if request.failCode != 0 {
                throw RPCError(code: RPCError.Code(rawValue: Int32(clamping: request.failCode)), message: "failure requested")
            }
            return echoed(request, context)
        })
        router.register(TestingV1.Echo.stream) { request, writer, context in
            for index in 0..<request.count {
                if request.delayMs > 0 { try await Task.sleep(for: .milliseconds(Int64(request.delayMs))) }
                var response = TestingV1.EchoResponse()
                response.text = request.text
                response.index = index
                response.managerID = context.caller.managerID
                try await writer.send(response)
            }
            if request.failCode != 0 {
                throw RPCError(code: RPCError.Code(rawValue: Int32(clamping: request.failCode)), message: "failure requested")
            }
        }
        return router
    }

    /// The answer to `request`: its body and text, with the caller's manager id.
    private static func echoed(_ request: TestingV1.EchoRequest, _ context: RPCCallContext) -> TestingV1.EchoResponse {
        var response = TestingV1.EchoResponse()
        response.body = request.body
        response.text = request.text
        response.managerID = context.caller.managerID
        return response
    }
}
