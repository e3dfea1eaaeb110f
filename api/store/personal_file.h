/* A student's personal file of one school year (SPEC.md "Year close and
 * personal files", §18): who the student is, their guardians, every
 * enrollment of that year with its withdrawal (§11), and their attendance
 * summed per group (lessons, present, late, absent, excused and unexcused,
 * by reason, academic hours). Plain queries returning columns, rendered here
 * in C; api/views/personal_file.c prints the same object as a page. */
#ifndef EJ_STORE_PERSONAL_FILE_H
#define EJ_STORE_PERSONAL_FILE_H

#include "core/dbctx.h"

#include <stdbool.h>

#include <jansson.h>
#include <stdint.h>

struct ej_principal;

/* The file of student sid for school year yid, if who may see the student in
 * scopes (EJ_OBJ_PERSONAL_FILE), else EJ_ERR_NOT_FOUND with *no_student set
 * (or not: no such year). *out: new object {student, guardians, school_year,
 * institution, enrollments, attendance, generated_at}, NULL on error. */
enum ej_err ej_store_personal_file(struct ej_db *db, const struct ej_principal *who, int64_t sid,
                                   int64_t yid, unsigned scopes, json_t **out, bool *no_student);

#endif
