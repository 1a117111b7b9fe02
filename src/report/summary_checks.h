/*
 * summary_checks — the checks section of the text summary, as k6 prints it:
 * checks by group (█ group, nested by indentation), ✓ for a check that
 * always passed, ✗ with its pass share and counts for one that did not.
 */
#ifndef TG_REPORT_SUMMARY_CHECKS_H
#define TG_REPORT_SUMMARY_CHECKS_H

#include "metrics/results.h"

#include <stdio.h>

/* Prints the section to f; nothing when the run made no checks. */
void tg_summary_checks_print(FILE *f, const struct tg_results *res);

#endif
