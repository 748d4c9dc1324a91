public import GRDB
import GRDBSQLite

/// The values of one result row, read by column position.
///
/// What GRDB's `Row` holds, without what it builds for every statement run: a table of the
/// statement's column names, each lowercased and hashed, for reading columns by name. The
/// stores read every column by position, so a query pays only for its values.
///
/// ```swift
/// for row in try db.positionalRows(db.cachedStatement(sql: "SELECT id, name FROM tag"), []) {
///     let id: Int64 = row[0]
///     let name: String = row[1]
/// }
/// ```
public struct PositionalRow: PositionalValues, Sendable {
    /// The row's values, left to right.
    public let values: ContiguousArray<DatabaseValue>

    /// The number of columns.
    public var count: Int { values.count }

    @inlinable public func databaseValue(at index: Int) -> DatabaseValue { values[index] }
}

/// Values read by column position: a ``PositionalRow``, or a GRDB `Row` (code that reads rows
/// by position takes either).
public protocol PositionalValues {
    /// The database value at `index`.
    func databaseValue(at index: Int) -> DatabaseValue
}

extension PositionalValues {
    /// The value at `index`, converted as GRDB's `Row` converts it: ask for an optional when the
    /// value may be NULL. A NULL read as a non-optional, or a value that does not convert to
    /// `Value`, is a programming error (as with GRDB's `Row`). Inlinable: specialized where it is
    /// read, it costs no run-time look-up of generic metadata per value.
    @inlinable
    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value {
        let value = databaseValue(at: index)
        guard let converted = Value.fromDatabaseValue(value) else {
            fatalError("column \(index) holds \(value), which is not a \(Value.self)")
        }
        return converted
    }
}

extension Row: PositionalValues {
    @inlinable public func databaseValue(at index: Int) -> DatabaseValue { self[index] }
}

extension Database {
    /// Every row of the statement of `sql` (prepared once per connection:
    /// ``reusableStatement(sql:)``), read by position.
    public func positionalRows(sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [PositionalRow] {
        try positionalRows(reusableStatement(sql: sql), arguments)
    }

    /// The first row of the statement of `sql` (prepared once per connection), read by position.
    public func positionalRow(sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> PositionalRow? {
        try positionalRow(reusableStatement(sql: sql), arguments)
    }

    /// Every row of `statement` run with `arguments`, read by position (see ``PositionalRow``).
    public func positionalRows(_ statement: Statement, _ arguments: StatementArguments) throws -> [PositionalRow] {
        try Array(PositionalRowCursor(statement: statement, arguments: arguments))
    }

    /// The first row of `statement` run with `arguments`, read by position; the statement is
    /// reset without stepping through the rest.
    public func positionalRow(_ statement: Statement, _ arguments: StatementArguments) throws -> PositionalRow? {
        try PositionalRowCursor(statement: statement, arguments: arguments).next()
    }
}

/// Steps a statement and copies each row's values out by position.
final class PositionalRowCursor: DatabaseCursor {
    typealias Element = PositionalRow
    let _statement: Statement
    var _isDone = false
    private let width: CInt

    init(statement: Statement, arguments: StatementArguments) throws {
        self._statement = statement
        self.width = CInt(statement.columnCount)
        // Resets the statement, checks the arguments against its parameters and binds them.
        try statement.setArguments(arguments)
    }

    deinit {
        // A cursor left before the last row must not leave its statement running (as GRDB's
        // own cursors, which reset theirs). The statement's next run reports any error.
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> PositionalRow {
        var values = ContiguousArray<DatabaseValue>()
        values.reserveCapacity(Int(width))
        for index in 0..<width {
            values.append(DatabaseValue(sqliteStatement: sqliteStatement, index: index))
        }
        return PositionalRow(values: values)
    }
}
