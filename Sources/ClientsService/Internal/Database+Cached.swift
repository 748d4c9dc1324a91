import ChatPanelStore
import GRDB

extension Database {
    /// Every row of a statement prepared once per connection (`reusableStatement(sql:)`).
    func rows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(reusableStatement(sql: sql), arguments: arguments)
    }

    /// The first row of a cached statement.
    func row(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(reusableStatement(sql: sql), arguments: arguments)
    }

    /// The first column of the first row of a cached statement.
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, _ sql: String, _ arguments: StatementArguments = StatementArguments()
    ) throws -> T? {
        try T.fetchOne(reusableStatement(sql: sql), arguments: arguments)
    }

    /// The first column of every row of a cached statement.
    func values<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, _ sql: String, _ arguments: StatementArguments = StatementArguments()
    ) throws -> [T] {
        try T.fetchAll(reusableStatement(sql: sql), arguments: arguments)
    }

    /// Runs a cached statement that returns no rows.
    func run(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try reusableStatement(sql: sql).execute(arguments: arguments)
    }
}
