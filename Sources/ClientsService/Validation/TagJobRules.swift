public import ChatPanelProto
public import ChatPanelRPC

/// Admin tag changes (TAG-6): what a rename, recolor or delete request must say.
public enum TagJobRules {
    /// The spec with its name or color cleaned; violations name `spec.tag_id`, `spec.action`,
    /// `spec.new_name`, `spec.new_color`.
    public static func validate(_ spec: ClientsV1.TagJobSpec?) throws(RPCError) -> ClientsV1.TagJobSpec {
        guard var spec else { throw RPCError.invalidArgument(field: "spec", "is required") }
        var violations = FieldViolations()
        violations.checkID(spec.tagID, field: "spec.tag_id")
        switch spec.action {
        case .rename:
            spec.newName = violations.take(TagRules.name(spec.newName), field: "spec.new_name") ?? ""
        case .recolor:
            spec.newColor = violations.take(TagRules.color(spec.newColor), field: "spec.new_color") ?? ""
        case .delete:
            break
        case .unspecified, .unrecognized:
            violations.add(field: "spec.action", "must be rename, recolor or delete")
        }
        try violations.throwIfAny()
        return spec
    }
}
