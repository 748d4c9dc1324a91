public import ChatPanelProto
public import ChatPanelRPC
public import Testing

/// Expects `body` to fail with an ``RPCError`` of `code` and returns the error. With `field`,
/// its violations must name that field; with `fields`, exactly those fields.
@discardableResult
public func expectError<T>(
    _ code: RPCError.Code, field: String? = nil, fields: Set<String>? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> RPCError? {
    do {
        _ = try await body()
        Issue.record("expected \(code.protoName), the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let field {
            #expect(error.violations.contains { $0.field == field }, "no violation of \(field) in \(error)", sourceLocation: sourceLocation)
        }
        if let fields {
            #expect(Set(error.violations.map(\.field)) == fields, "\(error)", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected an RPCError \(code.protoName), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
