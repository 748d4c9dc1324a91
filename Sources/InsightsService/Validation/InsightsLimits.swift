public import ChatPanelRPC

/// Sizes the feeds and their items may have.
public enum InsightsLimits {
    /// Most items in one feed call (messages, page views). The whole request must also fit in
    /// one frame (1 MiB): a sender splits a batch of long items.
    public static let batchSize = 1_000
    /// How far ahead of the service's clock a fed time (a view's, a message's) may be: the
    /// sender's clock may run a little ahead, as in the orders service
    /// (`OrdersStore.clockSkewMs`); a time further on is refused.
    public static let clockSkewMs: Int64 = 3_600_000
    /// An id from the chat back end or the tracker (message, dialog, view, visitor).
    public static let externalID = TextRule(maxCharacters: 128, required: true)
    /// A dialog id where it may be absent.
    public static let optionalDialogID = TextRule(maxCharacters: 128)
    /// A message's author as the chat shows it.
    public static let author = TextRule(maxCharacters: 200)
    /// A message's text (may be empty: an attachment alone).
    public static let messageText = TextRule(maxCharacters: 20_000, multiline: true)
    /// A page's or referrer's address.
    public static let url = TextRule(maxCharacters: 2_000, maxBytes: 8_000)
    /// A page's title.
    public static let title = TextRule(maxCharacters: 500)
    /// A User-Agent header.
    public static let userAgent = TextRule(maxCharacters: 1_000)
    /// A browser language tag ("ru-RU").
    public static let language = TextRule(maxCharacters: 35)
    /// An IP address as text (the longest IPv6 form with a zone fits).
    public static let ip = TextRule(maxCharacters: 64)
}
