/* Schema migrations: the numbered, forward-only db/migrations/NNNN_name.sql (tables, indexes,
 * constraints, data changes) and then the repeatable db/functions/NN_topic.sql (the current
 * definition of every SQL and PL/pgSQL function), all in one transaction under an advisory
 * lock; recorded with checksums in schema_migrations and schema_functions. A second run changes
 * nothing; an applied numbered file that was edited afterwards stops the run. */
#ifndef EJ_STORE_MIGRATE_H
#define EJ_STORE_MIGRATE_H

/* Applies pending migrations from migrations_dir, then the function files of functions_dir
 * that changed. Prints progress on stdout. Returns 0 or 1. */
int ej_migrate(const char *migrations_dir, const char *functions_dir);

#endif
