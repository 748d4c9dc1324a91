import Foundation
import GRDB
import Testing

@testable import ChatPanelStore

/// Rows read by position: the values GRDB's `Row` gives for the same statement, NULLs as
/// optionals, and a statement left after its first row is reset for its next run and for
/// writers.
@Suite struct PositionalRowTests {
    private func withQueue(_ body: (DatabaseQueue) throws -> Void) throws {
        // As every store does before it opens a connection (SQLite takes them only then).
        SQLiteProcessSettings.apply()
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, flag INTEGER NOT NULL, blob BLOB);
                    INSERT INTO item VALUES (1, 'один', 1.5, 1, x'0001'), (2, '', NULL, 0, NULL), (3, 'three', 3, 1, x'');
                    """)
        }
        try body(queue)
    }

    @Test func readsWhatGRDBRowsReadByPosition() throws {
        try withQueue { queue in
            try queue.read { db in
                let sql = "SELECT id, name, score, flag, blob FROM item ORDER BY id"
                let positional = try db.positionalRows(db.cachedStatement(sql: sql), [])
                let grdb = try Row.fetchAll(db, sql: sql)
                #expect(positional.count == 3)
                for (mine, theirs) in zip(positional, grdb) {
                    #expect(mine.count == 5)
                    #expect(mine[0] as Int64 == theirs[0] as Int64)
                    #expect(mine[1] as String == theirs[1] as String)
                    #expect(mine[2] as Double? == theirs[2] as Double?)
                    #expect(mine[3] as Bool == theirs[3] as Bool)
                    #expect(mine[4] as Data? == theirs[4] as Data?)
                }
                #expect(positional[1][2] as Double? == nil)
                #expect(positional[2][2] as Double == 3)
                #expect(positional.map { $0[1] as String } == ["один", "", "three"])
            }
        }
    }

    @Test func aRecordsColumnsInAJoinAreReadFromItsOffset() throws {
        try withQueue { queue in
            try queue.read { db in
                let rows = try db.positionalRows(
                    sql: "SELECT a.id, a.name, b.id, b.name FROM item a LEFT JOIN item b ON b.id = a.id + 1 ORDER BY a.id")
                let second = rows.map { OffsetValues(base: $0, offset: 2) }
                #expect(second.map { $0[0] as Int64? } == [2, 3, nil])
                #expect(second.map { $0[1] as String? } == ["", "three", nil])
                #expect(rows.map { OffsetValues(base: $0, offset: 0)[1] as String } == ["один", "", "three"])
            }
        }
    }

    @Test func rowsReadInPlaceGiveWhatCopiedRowsGive() throws {
        try withQueue { queue in
            try queue.read { db in
                let sql = "SELECT id, name, score, flag, blob FROM item ORDER BY id"
                let copied = try db.positionalRows(sql: sql)
                var seen = 0
                try db.forEachPositionalRow(sql: sql) { row in
                    let theirs = copied[seen]
                    seen += 1
                    #expect(row.count == 5)
                    #expect(row[0] as Int64 == theirs[0] as Int64)
                    #expect(row[1] as String == theirs[1] as String)
                    #expect(row[2] as Double? == theirs[2] as Double?)
                    #expect(row[3] as Bool == theirs[3] as Bool)
                    #expect(row[4] as Data? == theirs[4] as Data?)
                    // The bytes in place are those of the copied value, read the same way.
                    for column in 0..<5 {
                        #expect(row.withBytes(at: column) { Array($0) } == theirs.withBytes(at: column) { Array($0) })
                    }
                }
                #expect(seen == 3)
                #expect(try db.positionalRows(sql: sql) { $0[1] as String } == ["один", "", "three"])
                #expect(try db.positionalRows(sql: "SELECT name FROM item WHERE id > ?", [9]) { $0[0] as String }.isEmpty)
            }
        }
    }

    @Test func bytesAreTheTextsUTF8TheBlobsBytesAndNoneForNULL() throws {
        try withQueue { queue in
            try queue.read { db in
                let sql = "SELECT name, blob, score, id FROM item WHERE id = ?"
                func bytes(_ id: Int64) throws -> [[UInt8]] {
                    var read: [[UInt8]] = []
                    try db.forEachPositionalRow(sql: sql, [id]) { row in
                        read = (0..<4).map { column in row.withBytes(at: column) { Array($0) } }
                    }
                    return read
                }
                #expect(try bytes(1) == [Array("один".utf8), [0, 1], Array("1.5".utf8), Array("1".utf8)])
                #expect(try bytes(2) == [[], [], [], Array("2".utf8)])
                // Copied rows give the same bytes (through their `DatabaseValue`s).
                let copied = try #require(try db.positionalRow(sql: sql, [1]))
                #expect(copied.withBytes(at: 0) { Array($0) } == Array("один".utf8))
                #expect(copied.withBytes(at: 1) { Array($0) } == [0, 1])
                #expect(OffsetValues(base: copied, offset: 1).withBytes(at: 0) { Array($0) } == [0, 1])
            }
        }
    }

    @Test func anErrorThrownFromARowStopsTheRunAndLeavesTheStatementReset() throws {
        struct Stop: Error {}
        try withQueue { queue in
            try queue.write { db in
                let sql = "SELECT id FROM item ORDER BY id"
                var seen: [Int64] = []
                #expect(throws: Stop.self) {
                    try db.forEachPositionalRow(sql: sql) { row in
                        seen.append(row[0])
                        throw Stop()
                    }
                }
                #expect(seen == [1])
                // Not left running: a write to the table, then a full run of the same statement.
                try db.execute(sql: "DELETE FROM item WHERE id = 1")
                #expect(try db.positionalRows(sql: sql) { $0[0] as Int64 } == [2, 3])
            }
        }
    }

    @Test func aColumnPastTheRowsEndTraps() async {
        // A column past a row's end is a programming error, as with GRDB's `Row`: never a value.
        await #expect(processExitsWith: .failure) {
            SQLiteProcessSettings.apply()
            let rows = try DatabaseQueue().read { db in try db.positionalRows(sql: "SELECT 1, 2 UNION ALL SELECT 3, 4") }
            _ = rows[0][2] as Int64
        }
    }

    @Test func argumentsAreBoundAndCheckedEachRun() throws {
        try withQueue { queue in
            try queue.read { db in
                let statement = try db.cachedStatement(sql: "SELECT name FROM item WHERE id = ?")
                #expect(try db.positionalRow(statement, [3])?[0] as String? == "three")
                #expect(try db.positionalRow(statement, [1])?[0] as String? == "один")
                #expect(try db.positionalRow(statement, [9]) == nil)
                #expect(throws: DatabaseError.self) { try db.positionalRow(statement, []) }
            }
        }
    }

    @Test func aWrongArgumentCountIsAnErrorNamingBothCountsAndNothingRuns() throws {
        try withQueue { queue in
            try queue.write { db in
                let statement = try db.cachedStatement(sql: "DELETE FROM item WHERE id = ? RETURNING id")
                for arguments: PositionalArguments in [[], [1, 2]] {
                    do {
                        _ = try db.positionalRows(statement, arguments)
                        Issue.record("\(arguments.values.count) arguments for one parameter were taken")
                    } catch let error as DatabaseError {
                        #expect(error.resultCode == .SQLITE_MISUSE)
                        #expect(error.message == "wrong number of statement arguments: \(arguments.values.count) for 1 parameters")
                    }
                }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM item") == 3)
            }
        }
    }

    @Test func aWriteRunsToItsEndWithItsArgumentsAndNULLs() throws {
        try withQueue { queue in
            try queue.write { db in
                let insert = "INSERT INTO item (id, name, score, flag, blob) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
                try db.positionalExecute(sql: insert, [4, "четыре", Double?.none, true, Data([7])])
                #expect(db.changesCount == 1)
                try db.positionalExecute(sql: insert, [4, "again", 1.0, false, Data()])
                #expect(db.changesCount == 0)
                let row = try #require(try db.positionalRow(sql: "SELECT name, score, flag, blob FROM item WHERE id = 4"))
                #expect(row[0] as String == "четыре" && row[1] as Double? == nil && row[2] as Bool && row[3] as Data == Data([7]))
                try db.positionalExecute(sql: "DELETE FROM item WHERE id > ?", [1])
                #expect(db.changesCount == 3)
                #expect(throws: DatabaseError.self) { try db.positionalExecute(sql: "DELETE FROM item WHERE id = ?", []) }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM item") == 1)
            }
        }
    }

    @Test func valuesOfEveryKindBindAsGRDBBindsThem() throws {
        try withQueue { queue in
            try queue.read { db in
                let sql = "SELECT ?1 IS NULL, typeof(?1), typeof(?2), typeof(?3), typeof(?4), typeof(?5), ?2, ?3, ?4, ?5"
                let text = "кавычки ' и \"двойные\" 👋🏽"
                let row = try #require(try db.positionalRow(sql: sql, [nil as Int64?, 42 as Int64, 2.5, text, Data([0, 1, 2])]))
                #expect(row[0] as Bool)
                #expect([row[1], row[2], row[3], row[4], row[5]] as [String] == ["null", "integer", "real", "text", "blob"])
                #expect(row[6] as Int64 == 42)
                #expect(row[7] as Double == 2.5)
                #expect(row[8] as String == text)
                #expect(row[9] as Data == Data([0, 1, 2]))
                // Numbered parameters are bound by their number: ?2 twice is one value.
                #expect(try db.positionalRow(sql: "SELECT ?2 || ?1 || ?2", ["b", "a"])?[0] as String? == "aba")
                // NULL as an optional holding nil, and as DatabaseValue.null.
                let nulls = try #require(
                    try db.positionalRow(sql: "SELECT ?1 IS NULL, ?2 IS NULL, ?3", [nil as String?, DatabaseValue.null, "x" as String?]))
                #expect(nulls[0] as Bool && nulls[1] as Bool)
                #expect(nulls[2] as String == "x")
            }
        }
    }

    @Test func aRunThatFailedDoesNotFailTheStatementsNextRun() throws {
        try withQueue { queue in
            try queue.write { db in
                let statement = try db.cachedStatement(sql: "INSERT INTO item (id, name, flag) VALUES (?, ?, 1) RETURNING id")
                #expect(try db.positionalRows(statement, [10, "ten"]).map { $0[0] as Int64 } == [10])
                // NOT NULL fails this run, and only this one.
                #expect(throws: DatabaseError.self) { try db.positionalRows(statement, [11, DatabaseValue.null]) }
                #expect(try db.positionalRows(statement, [12, "twelve"]).map { $0[0] as Int64 } == [12])
                #expect(try Int64.fetchAll(db, sql: "SELECT id FROM item WHERE id >= 10 ORDER BY id") == [10, 12])
            }
        }
    }

    @Test func aStatementLeftAfterItsFirstRowIsResetForItsNextRunAndForWriters() throws {
        try withQueue { queue in
            try queue.write { db in
                let statement = try db.cachedStatement(sql: "SELECT id FROM item ORDER BY id")
                #expect(try db.positionalRow(statement, [])?[0] as Int64? == 1)
                // Not left running: a write to the table and a full run of the same statement.
                try db.execute(sql: "DELETE FROM item WHERE id = 1")
                #expect(try db.positionalRows(statement, []).map { $0[0] as Int64 } == [2, 3])
            }
        }
    }
}

/// Lists bound as one JSON argument come back from `json_each` value for value, whatever the
/// strings hold.
@Suite struct JSONListTests {
    @Test func stringsAndIntegersRoundTripThroughJSONEach() throws {
        let strings = ["plain", "", "кавычки \" и \\ обратная", "line\nbreak\ttab\r", "\u{01}\u{1F}", "emoji 👋🏽", "a.b_c"]
        let integers: [Int64] = [0, -1, 42, Int64.max, Int64.min]
        SQLiteProcessSettings.apply()
        let queue = try DatabaseQueue()
        try queue.read { db in
            let readStrings = try String.fetchAll(
                db, sql: "SELECT value FROM json_each(?) ORDER BY key", arguments: [JSONList.strings(strings)])
            #expect(readStrings == strings)
            let readIntegers = try Int64.fetchAll(
                db, sql: "SELECT value FROM json_each(?) ORDER BY key", arguments: [JSONList.integers(integers)])
            #expect(readIntegers == integers)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM json_each(?)", arguments: [JSONList.strings([String]())]) == 0)
        }
    }
}
