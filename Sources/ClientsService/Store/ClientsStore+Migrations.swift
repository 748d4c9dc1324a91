public import ChatPanelStore
import GRDB

extension ClientsStore {
    /// The schema, one frozen migration per shipped change. Never edit a registered step: add
    /// a new one.
    ///
    /// Indexes serve every read the service makes without scanning clients, dialogs or
    /// client-tag links (1 000 000 clients, 200 000 dialogs, 10 000 tags):
    /// - `client_phone_normalized`, `client_email` (email, id): duplicates and phone/email lookups.
    /// - `client_name_key`: name-prefix search of "last first patronymic".
    /// - `client_merged_into`: re-pointing ids merged earlier when their survivor is merged.
    /// - `client_tag` is keyed by (client, tag); `client_tag_in_order` (client, pinned first,
    ///   attached, tag) gives a card its tags in order; `client_tag_by_tag` (tag, client)
    ///   drives tag filters newest client first and the batches of a tag deletion.
    /// - `dialog_client_id` (client, dialog id): a client's dialogs in pages, merges, dialog lists.
    /// - `tag_name_key` (unique): exact-name checks. `tag_live_name` (deleting, name_key):
    ///   prefix autocomplete as a range, infix autocomplete as a scan of this narrow index of
    ///   the tag table only (see ``ClientsStore/autocompleteTags(key:limit:excludingClient:)``).
    /// - `tag_job_single_active`: at most one queued or running tag job, enforced by SQLite.
    public static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        migrations.register(
            "clients.0001.initial", renamedFrom: ["clients.v1"],
            sql: """
                CREATE TABLE client (
                    id INTEGER PRIMARY KEY,
                    first_name TEXT NOT NULL DEFAULT '',
                    last_name TEXT NOT NULL DEFAULT '',
                    patronymic TEXT NOT NULL DEFAULT '',
                    name_key TEXT NOT NULL DEFAULT '',
                    email TEXT NOT NULL DEFAULT '',
                    address_split INTEGER NOT NULL DEFAULT 0,
                    address_text TEXT NOT NULL DEFAULT '',
                    postal_code TEXT NOT NULL DEFAULT '',
                    city TEXT NOT NULL DEFAULT '',
                    country TEXT NOT NULL DEFAULT '',
                    region TEXT NOT NULL DEFAULT '',
                    metro TEXT NOT NULL DEFAULT '',
                    street TEXT NOT NULL DEFAULT '',
                    house TEXT NOT NULL DEFAULT '',
                    flat TEXT NOT NULL DEFAULT '',
                    building TEXT NOT NULL DEFAULT '',
                    entrance TEXT NOT NULL DEFAULT '',
                    floor TEXT NOT NULL DEFAULT '',
                    block TEXT NOT NULL DEFAULT '',
                    merged_into INTEGER REFERENCES client(id),
                    created_by INTEGER NOT NULL DEFAULT 0,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX client_email ON client(email) WHERE email <> '' AND merged_into IS NULL;
                CREATE INDEX client_name_key ON client(name_key) WHERE merged_into IS NULL;
                CREATE INDEX client_merged_into ON client(merged_into) WHERE merged_into IS NOT NULL;

                CREATE TABLE client_phone (
                    client_id INTEGER NOT NULL REFERENCES client(id),
                    position INTEGER NOT NULL,
                    number TEXT NOT NULL,
                    normalized TEXT NOT NULL,
                    PRIMARY KEY (client_id, position)
                ) WITHOUT ROWID;
                CREATE INDEX client_phone_normalized ON client_phone(normalized);

                CREATE TABLE dialog (
                    id TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL,
                    external_login TEXT NOT NULL DEFAULT '',
                    display_name TEXT NOT NULL DEFAULT '',
                    phone TEXT NOT NULL DEFAULT '',
                    phone_normalized TEXT NOT NULL DEFAULT '',
                    email TEXT NOT NULL DEFAULT '',
                    client_id INTEGER REFERENCES client(id),
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX dialog_client ON dialog(client_id) WHERE client_id IS NOT NULL;

                CREATE TABLE tag (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    color TEXT NOT NULL,
                    client_count INTEGER NOT NULL DEFAULT 0,
                    deleting INTEGER NOT NULL DEFAULT 0,
                    created_by INTEGER NOT NULL DEFAULT 0,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX tag_name_key ON tag(name_key);
                CREATE INDEX tag_live_name ON tag(deleting, name_key);

                CREATE TABLE client_tag (
                    client_id INTEGER NOT NULL REFERENCES client(id),
                    tag_id INTEGER NOT NULL REFERENCES tag(id),
                    pinned INTEGER NOT NULL DEFAULT 0,
                    attached_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (client_id, tag_id)
                ) WITHOUT ROWID;
                CREATE INDEX client_tag_by_tag ON client_tag(tag_id, client_id);

                CREATE TABLE tag_job (
                    id INTEGER PRIMARY KEY,
                    tag_id INTEGER NOT NULL,
                    action INTEGER NOT NULL,
                    new_name TEXT NOT NULL DEFAULT '',
                    new_color TEXT NOT NULL DEFAULT '',
                    tag_name TEXT NOT NULL,
                    state INTEGER NOT NULL,
                    clients_total INTEGER NOT NULL DEFAULT 0,
                    clients_done INTEGER NOT NULL DEFAULT 0,
                    requested_by INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    started_at_ms INTEGER NOT NULL DEFAULT 0,
                    finished_at_ms INTEGER NOT NULL DEFAULT 0,
                    error TEXT NOT NULL DEFAULT ''
                );
                CREATE UNIQUE INDEX tag_job_single_active ON tag_job((state IN (1, 2))) WHERE state IN (1, 2);

                CREATE TABLE field_definition (
                    code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    type INTEGER NOT NULL,
                    system INTEGER NOT NULL,
                    editable INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE field_option (
                    field_code TEXT NOT NULL REFERENCES field_definition(code),
                    position INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (field_code, code)
                ) WITHOUT ROWID;

                CREATE TABLE client_field_value (
                    client_id INTEGER NOT NULL REFERENCES client(id),
                    field_code TEXT NOT NULL REFERENCES field_definition(code),
                    value TEXT NOT NULL,
                    PRIMARY KEY (client_id, field_code)
                ) WITHOUT ROWID;

                CREATE TABLE manager_field (
                    manager_id INTEGER NOT NULL,
                    field_code TEXT NOT NULL REFERENCES field_definition(code),
                    position INTEGER NOT NULL,
                    pinned INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (manager_id, field_code)
                ) WITHOUT ROWID;

                CREATE TABLE client_merge (
                    id INTEGER PRIMARY KEY,
                    survivor_id INTEGER NOT NULL REFERENCES client(id),
                    merged_id INTEGER NOT NULL UNIQUE REFERENCES client(id),
                    manager_id INTEGER NOT NULL,
                    merged_at_ms INTEGER NOT NULL,
                    moved_phones INTEGER NOT NULL,
                    moved_tags INTEGER NOT NULL,
                    moved_field_values INTEGER NOT NULL,
                    moved_dialog_ids TEXT NOT NULL,
                    filled_fields TEXT NOT NULL,
                    merged_snapshot BLOB NOT NULL
                );
                CREATE INDEX client_merge_survivor ON client_merge(survivor_id);

                CREATE TABLE setting (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """ + SystemFields.installSQL)
        // A merge names the phones it left out under the 10-phone limit; a client's dialogs are
        // paged by id (`dialog_client_id` replaces `dialog_client`, serving the same lookups).
        migrations.register(
            "clients.0002.merge-dropped-phones",
            sql: """
                ALTER TABLE client_merge ADD COLUMN dropped_phones TEXT NOT NULL DEFAULT '';
                CREATE INDEX dialog_client_id ON dialog(client_id, id) WHERE client_id IS NOT NULL;
                DROP INDEX dialog_client;
                """)
        // What a card reads comes from indexes in the order it needs, with no temporary table
        // to sort it on every card: a client's tags (pinned first, then as attached), and the
        // clients sharing an email, lowest id first.
        migrations.register(
            "clients.0003.card-reads-in-order",
            sql: """
                CREATE INDEX client_tag_in_order ON client_tag(client_id, pinned DESC, attached_at_ms, tag_id);
                DROP INDEX client_email;
                CREATE INDEX client_email ON client(email, id) WHERE email <> '' AND merged_into IS NULL;
                """)
        // The field catalog (definitions, their options, the managers' order and pins) has a
        // version that every change to it raises, by triggers: a card reads the version with the
        // client's values and takes the catalog from memory while the version holds
        // (``FieldCatalogCache``), instead of joining and sorting the catalog tables each time.
        migrations.register(
            "clients.0004.field-catalog-version",
            sql: """
                CREATE TABLE field_catalog (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO field_catalog (id, version) VALUES (1, 1);
                """
                + ["field_definition", "field_option", "manager_field"].flatMap { table in
                    ["INSERT", "UPDATE", "DELETE"].map { event in
                        """
                        CREATE TRIGGER \(table)_\(event.lowercased())_raises_catalog_version AFTER \(event) ON \(table)
                        BEGIN UPDATE field_catalog SET version = version + 1 WHERE id = 1; END;

                        """
                    }
                }.joined())
        return migrations
    }
}
