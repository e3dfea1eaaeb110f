/* Authorization policy (§8, §20): the one place that decides which objects a
 * caller may see, from their roles. Pure C: the relations themselves (does
 * this teacher teach this group? is this the guardian's child?) are tested
 * in SQL by the store (visible_group, visible_student, visible_lesson…),
 * which gets the scopes decided here. A user holding several roles gets the
 * union of their scopes.
 *
 * Route-level rules (which roles may call an operation at all) are in the
 * route table (api/routes.c); objects the caller may not see are 404, never
 * 403, so nobody learns that another family's child exists. */
#ifndef EJ_RULES_ACCESS_H
#define EJ_RULES_ACCESS_H

enum ej_scope {
    EJ_SCOPE_ALL = 1,      /* every object of the kind */
    EJ_SCOPE_TAUGHT = 2,   /* groups the caller teaches (or substitutes in), their students */
    EJ_SCOPE_CHILDREN = 4, /* the caller's children, their groups and lessons */
    EJ_SCOPE_SELF = 8,     /* the caller as a student, their groups and lessons */
};

enum ej_object {
    EJ_OBJ_GROUP,       /* a group: name, teachers, programme */
    EJ_OBJ_ROSTER,      /* a group's enrollments (who is in it) */
    EJ_OBJ_STUDENT,     /* a student's name and birth date */
    EJ_OBJ_GUARDIANS,   /* a student's guardians and their contacts */
    EJ_OBJ_ATTENDANCE,  /* absences, reasons, absence reports */
    EJ_OBJ_LESSON,      /* lessons: dates, topics */
    EJ_OBJ_SCHOOL_YEAR, /* school years and programmes */
    /* Exports (issue 11, openapi.yaml tag reports): documents handed on. */
    EJ_OBJ_HOURS,          /* the hours report: lessons conducted per teacher (SELF: one's own) */
    EJ_OBJ_JOURNAL_EXPORT, /* a group's journal as one document: lessons, roster */
    EJ_OBJ_EXPORT_ATTENDANCE, /* the attendance columns of that document */
    EJ_OBJ_PERSONAL_FILE, /* a student's personal file of a year (§18): the family's, not a teacher's */
    EJ_OBJ_ACCESS_LOG, /* who read or changed a student's data (§20, GDPR art. 15) */
    EJ_OBJ_PROPOSAL,   /* proposals to change the rules (§23): SELF = one's own */
};

/* The scopes (bits of enum ej_scope) in which roles may read objects of this kind. */
unsigned ej_read_scopes(unsigned roles, enum ej_object obj);

#endif
