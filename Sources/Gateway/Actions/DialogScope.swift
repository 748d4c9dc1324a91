import ChatPanelProto
import ChatPanelRPC

/// The dialog an action comes from, as its request bindings see it: the dialog, its client,
/// and the action's own service to look records up in.
struct DialogScope: Sendable {
    /// The panel's dialog.
    let dialogID: String
    /// The dialog's client; nil while the dialog's contact is not saved.
    let clientID: Int64?
    /// The dialog's client as its card shows it (contacts, address); nil without one.
    var client: ClientsV1.Client? = nil
    /// The service the action goes to.
    let upstream: Upstream
    /// The caller's identity and what is left of the call's deadline, for look-ups.
    let options: RPCCallOptions

    /// PERMISSION_DENIED naming `field`: `value` is not (a record of) the dialog's client.
    func notTheDialogsClient(field: String, _ what: String) -> RPCError {
        let owner = clientID.map { "client \($0)" } ?? "no client yet"
        let description = "\(what) is not the client of dialog \(dialogID) (\(owner)); a panel acts only on its dialog's client"
        return RPCError(
            code: .permissionDenied, message: "\(field): \(description)",
            violations: [RPCV1.FieldViolation(field: field, description: description)])
    }
}

/// One rule binding a field of an action's request to the dialog it comes from.
struct RequestBinding<Request: ProtoMessage>: Sendable {
    /// Checks the request against the dialog, completing it when allowed; true when it changed it.
    let apply: @Sendable (inout Request, DialogScope) async throws -> Bool

    /// A client id field: it must be the dialog's client; 0 means the dialog's client when
    /// `fillWhenZero` (and the dialog has one).
    static func client(_ keyPath: any WritableKeyPath<Request, Int64> & Sendable, field: String, fillWhenZero: Bool = true) -> Self {
        Self { request, scope in
            let value = request[keyPath: keyPath]
            if value == 0 {
                guard fillWhenZero, let client = scope.clientID else { return false }
                request[keyPath: keyPath] = client
                return true
            }
            guard value == scope.clientID else { throw scope.notTheDialogsClient(field: field, "client \(value)") }
            return false
        }
    }

    /// A dialog id field: it must be the panel's dialog; empty means the panel's dialog when `fillWhenEmpty`.
    static func dialog(_ keyPath: any WritableKeyPath<Request, String> & Sendable, field: String, fillWhenEmpty: Bool) -> Self {
        Self { request, scope in
            let value = request[keyPath: keyPath]
            if value.isEmpty {
                guard fillWhenEmpty else { return false }
                request[keyPath: keyPath] = scope.dialogID
                return true
            }
            guard value == scope.dialogID else {
                throw RPCError.invalidArgument(field: field, "must be the panel's dialog \(scope.dialogID) (or left empty), not \(value)")
            }
            return false
        }
    }

    /// A record id field (a task, a note): the record must belong to the dialog's client. `owner`
    /// looks up the record's client (0 for a record bound to no client, like a task bound to an
    /// order). A record that does not exist (the lookup's NOT_FOUND) passes: the action itself
    /// then reports it.
    static func record(
        _ keyPath: any KeyPath<Request, Int64> & Sendable, field: String, kind: String,
        owner: @escaping @Sendable (Int64, DialogScope) async throws -> Int64?
    ) -> Self {
        Self { request, scope in
            let id = request[keyPath: keyPath]
            guard id > 0 else { return false }
            let found: Int64?
            do {
                found = try await owner(id, scope)
            } catch let error as RPCError where error.code == .notFound {
                found = nil
            }
            guard let client = found, client != 0 else { return false }
            guard client == scope.clientID else { throw scope.notTheDialogsClient(field: field, "\(kind) \(id)") }
            return false
        }
    }
}
