import ChatPanelProto
import ChatPanelRPC

/// One widget action the gateway forwards through `Act`: the method (from its generated
/// descriptor), the right the gateway checks before anything else, the widgets it changes, and
/// how its request is bound to the dialog's client.
///
/// The owning service checks rights again; the gateway checks first so a refused action costs
/// no upstream call, and only listed methods can be reached through it.
struct GatewayAction: Sendable {
    /// The method path, like `/chatpanel.clients.v1.Clients/AttachTag`.
    let path: String
    /// The right needed, if any.
    let right: RPCV1.Right?
    /// The widgets to refresh after it (empty for reads and for actions no widget shows).
    let refresh: [GatewayV1.WidgetKind]
    /// Checks an encoded request against the dialog and completes it; nil for actions bound to no client.
    let bind: (@Sendable ([UInt8], DialogScope) async throws -> [UInt8])?
    /// For an action that completes a task: the completion time its encoded answer carries, so the
    /// refreshed Tasks widget keeps the task listed (TASK-3).
    let completionTime: (@Sendable ([UInt8]) -> Int64?)?
    /// The module or chat setting that must be on for the action: the one that switches its
    /// widget off (the tasks widget for a task's actions, the summary bot for the summary's);
    /// nil when no setting switches its widget off.
    let requiredSetting: RequiredSetting?

    /// An action on `method`. `bind` lists the request's fields that name the dialog, its client,
    /// or a record of its client; each is checked (and a client id left 0 is filled in).
    init<Request, Response>(
        _ method: UnaryMethod<Request, Response>, right: RPCV1.Right?, refresh: [GatewayV1.WidgetKind] = [],
        bind rules: [RequestBinding<Request>] = [], completionTime: (@Sendable (Response) -> Int64?)? = nil,
        requires requiredSetting: RequiredSetting? = nil
    ) {
        self.path = method.path
        self.requiredSetting = requiredSetting
        self.right = right
        self.refresh = refresh
        self.bind = rules.isEmpty ? nil : Self.makeBind(rules)
        if let completionTime {
            self.completionTime = { bytes in
                guard let response = try? Response(serializedBytes: bytes) else { return nil }
                return completionTime(response)
            }
        } else {
            self.completionTime = nil
        }
    }

    /// Decodes a request, applies `rules` in order, and encodes it again only when one changed
    /// it (so a relayed request keeps fields this build does not know).
    private static func makeBind<Request: ProtoMessage>(
        _ rules: [RequestBinding<Request>]
    ) -> @Sendable ([UInt8], DialogScope) async throws -> [UInt8] {
        { payload, scope in
            var request: Request
            request = try Request(actionRequest: payload)
            var changed = false
            for rule in rules {
                if try await rule.apply(&request, scope) { changed = true }
            }
            return changed ? try request.serializedBytes() : payload
        }
    }
}

/// A module or chat setting an action needs switched on (PANEL-4): while it is off the action's
/// widget is DISABLED, and the action is refused with FAILED_PRECONDITION and `reason` (the
/// widget's reason).
struct RequiredSetting: Sendable {
    /// Whether the setting is on.
    let isOn: @Sendable (GatewayV1.Settings) -> Bool
    /// Why the action is refused while it is off.
    let reason: String

    /// The tasks widget (TASK-4): the Tasks widget's actions. Notes have a widget of their own,
    /// which no setting switches off.
    static let tasksWidget = RequiredSetting(
        isOn: \.tasksWidgetEnabled, reason: "the tasks widget is switched off in the chat settings")
    /// The summary bot (SUMMARY-1): the Summary widget's actions.
    static let summaryBot = RequiredSetting(isOn: \.summaryBotEnabled, reason: "the summary bot is switched off")
}

extension ProtoMessage {
    /// An action's inner request decoded from `payload`, or INVALID_ARGUMENT naming the field at
    /// fault under `request` (`request.views[2].title is not valid UTF-8`).
    init(actionRequest payload: [UInt8]) throws(RPCError) {
        do {
            self = try Self(serializedBytes: payload)
        } catch let error as ProtoCodingError {
            throw RPCError.invalidArgument(
                field: error.field.isEmpty ? "request" : "request.\(error.field)",
                error.field.isEmpty ? "is not an encoded \(Self.self): \(error.reason)" : error.reason)
        } catch {
            throw RPCError.invalidArgument(field: "request", "is not an encoded \(Self.self)")
        }
    }
}
