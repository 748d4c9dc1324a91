/// What the clients service is told at start, beside its store: one value per process.
public struct ClientsConfiguration: Sendable {
    /// The environment key of ``phoneRegion``.
    public static let phoneRegionEnvironmentKey = "CHATPANEL_PHONE_REGION"
    /// The region used when none is configured.
    public static let defaultPhoneRegion = "RU"

    /// The shop's region, a CLDR code like "RU" or "US": a phone number given without `+` is
    /// read as dialled there (``PhoneNumber``). `--phone-region`, or `CHATPANEL_PHONE_REGION`;
    /// "RU" by default.
    public var phoneRegion: String
    /// How the background tag job runner works; nil runs none (tests that hold jobs queued).
    public var tagJobs: TagJobRunner.Configuration?

    /// A configuration; every member has its default unless given.
    public init(
        phoneRegion: String = ClientsConfiguration.defaultPhoneRegion,
        tagJobs: TagJobRunner.Configuration? = TagJobRunner.Configuration()
    ) {
        self.phoneRegion = phoneRegion
        self.tagJobs = tagJobs
    }
}
