public import ChatPanelProto
public import ChatPanelRPC

/// The settings an update changes: each one it carries, and only those.
public struct SettingsChange: Sendable, Equatable {
    /// The tasks widget on or off; nil: unchanged.
    public var tasksWidgetEnabled: Bool?
    /// The summary bot on or off; nil: unchanged.
    public var summaryBotEnabled: Bool?
    /// The site chat module on or off; nil: unchanged.
    public var siteChatEnabled: Bool?

    /// A change of the settings given.
    public init(tasksWidgetEnabled: Bool? = nil, summaryBotEnabled: Bool? = nil, siteChatEnabled: Bool? = nil) {
        self.tasksWidgetEnabled = tasksWidgetEnabled
        self.summaryBotEnabled = summaryBotEnabled
        self.siteChatEnabled = siteChatEnabled
    }

    /// The change an `UpdateSettingsRequest` asks for: its single fields, or every setting when
    /// it gives the older full `settings` (whose fields left out are false); INVALID_ARGUMENT
    /// naming `settings` when it gives both.
    public init(_ request: GatewayV1.UpdateSettingsRequest) throws(RPCError) {
        let single = SettingsChange(
            tasksWidgetEnabled: request.tasksWidgetEnabled, summaryBotEnabled: request.summaryBotEnabled,
            siteChatEnabled: request.siteChatEnabled)
        guard let full = request.settings else {
            self = single
            return
        }
        guard single == SettingsChange() else {
            throw RPCError.invalidArgument(
                field: "settings", "give either settings (replaces every setting) or the single fields to change, not both")
        }
        self.init(
            tasksWidgetEnabled: full.tasksWidgetEnabled, summaryBotEnabled: full.summaryBotEnabled, siteChatEnabled: full.siteChatEnabled)
    }

    /// `settings` with this change applied.
    public func applied(to settings: GatewayV1.Settings) -> GatewayV1.Settings {
        var result = settings
        if let tasksWidgetEnabled { result.tasksWidgetEnabled = tasksWidgetEnabled }
        if let summaryBotEnabled { result.summaryBotEnabled = summaryBotEnabled }
        if let siteChatEnabled { result.siteChatEnabled = siteChatEnabled }
        return result
    }
}
