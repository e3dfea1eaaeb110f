/* Forward-only schema migrations: db/migrations/NNNN_name.sql applied in
 * order, each in its own transaction, recorded in schema_migrations with a
 * checksum; a second run changes nothing; an applied file that was edited
 * afterwards stops the run. */
#ifndef EJ_STORE_MIGRATE_H
#define EJ_STORE_MIGRATE_H

/* Applies pending migrations from dir. Prints progress on stdout. Returns 0 or 1. */
int ej_migrate(const char *dir);

#endif
