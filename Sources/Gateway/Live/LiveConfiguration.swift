/// Settings of the live panel (`WatchPanel`) and of the gateway's change feed subscriptions.
public struct LiveConfiguration: Sendable {
    /// A watcher that has not taken an update for this long (its socket stays full) is closed
    /// with RESOURCE_EXHAUSTED: it watches again and gets a whole panel. Default 10 s.
    public var stallTimeout: Duration = .seconds(10)
    /// Changes coalesced into one pending update past which the update is the whole panel
    /// (one message instead of many widgets for a watcher far behind). Default 64.
    public var wholePanelAfter: Int = 64
    /// The first wait before subscribing again to a feed that broke. Default 50 ms.
    public var feedRetryInitial: Duration = .milliseconds(50)
    /// The longest wait between attempts (the wait doubles). Default 1 s.
    public var feedRetryMaximum: Duration = .seconds(1)
    /// The deadline a feed subscription asks for (it is made again when it passes). Default 24 h.
    public var feedCallTimeout: Duration = .seconds(86_400)

    /// The defaults.
    public init() {}
}
