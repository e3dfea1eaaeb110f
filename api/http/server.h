/* The HTTP server: CivetWeb glue. The only module that includes civetweb.h. */
#ifndef EJ_HTTP_SERVER_H
#define EJ_HTTP_SERVER_H

/* Serves until SIGTERM/SIGINT, then finishes requests in flight. Returns the
 * process exit code (0 on a clean stop, 1 if it could not start). */
int ej_server_run(void);

#endif
