/*
 * junit — --junit FILE: the run's thresholds and checks as JUnit XML, so CI
 * systems (Jenkins, GitLab, GitHub Actions reporters) show them natively.
 *
 * Layout (the Ant/Jenkins JUnit format): <testsuites> with two <testsuite>s,
 * "thresholds" (one <testcase> per threshold: classname "thresholds." and
 * the (sub)metric,
 * name the expression; a <failure> with the measured value when it failed)
 * and "checks" (one <testcase> per check: classname "checks" plus its group
 * path, name the check; a <failure> with its pass share when it ever
 * failed). Every suite carries the attributes and elements the strictest
 * readers require (id, package, hostname, timestamp without zone, tests,
 * failures, errors, skipped, time, <properties>, <system-out>, <system-err>).
 * Text is XML-escaped; control characters and invalid UTF-8 become '?'.
 */
#ifndef TG_REPORT_JUNIT_H
#define TG_REPORT_JUNIT_H

#include "report/summary.h"

/* Writes the file. 0, or TG_EIO / TG_ENOMEM with d set. */
int tg_junit_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d);

#endif
